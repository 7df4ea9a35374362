"""An item wish filled from the pool's stock instead of by a claim (精准对接)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wishes.models.wish import Wish


class StockFillQuerySet(models.QuerySet["StockFill"]):
    def live(self) -> "StockFillQuerySet":
        """Allocations that stand (not undone): what a wish, a donor or a lot was given."""
        return self.filter(undone_at__isnull=True)


class StockFill(models.Model):
    """Units of one stock lot given to one wish: booked in the ledger as goods given out
    (``entry``), remembered with the company or person who gave the goods, who is told.

    An allocation made in error is undone, not deleted (``undone_at``, its reversing entry):
    the books and the lot's history keep both moves, and the wish may be filled again."""

    wish = models.ForeignKey(
        Wish, on_delete=models.PROTECT, related_name="stock_fills", verbose_name=_("micro-wish")
    )
    lot = models.ForeignKey(
        "charity.StockLot", on_delete=models.PROTECT, related_name="+", verbose_name=_("stock lot")
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    entry = models.OneToOneField(
        "charity.LedgerEntry",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("booked by"),
    )
    donor = models.ForeignKey(
        "donations.Donor",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("goods given by"),
    )
    filled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("allocated by"),
    )
    created_at = models.DateTimeField(_("allocated at"), auto_now_add=True)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("undone by"),
    )
    undo_entry = models.OneToOneField(
        "charity.LedgerEntry",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("reversed by"),
    )

    objects = StockFillQuerySet.as_manager()

    class Meta:
        verbose_name = _("goods from stock")
        verbose_name_plural = _("goods from stock")
        constraints = [
            models.CheckConstraint(name="stockfill_some", condition=Q(quantity__gte=1)),
            # one allocation in force per wish; undone ones stay as history
            models.UniqueConstraint(
                fields=["wish"], condition=Q(undone_at__isnull=True), name="stockfill_one_live"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × lot #{self.lot_id} → wish #{self.wish_id}"

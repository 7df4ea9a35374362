"""Goods the pool holds: quantity stock at a warehouse, valued on the books.

Money and goods are both the pool's assets, so stock lives beside the ledger: a lot is
created by the entry that booked the goods in (in-kind stock), and wishes and lending draw
on `quantity_on_hand`, which the database keeps within bounds.
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class StockLot(models.Model):
    """One delivery of goods (e.g. 200 power strips) at one warehouse."""

    warehouse = models.ForeignKey(
        "accounts.Warehouse",
        verbose_name=_("warehouse"),
        on_delete=models.PROTECT,
        related_name="stock",
    )
    description = models.CharField(_("goods"), max_length=200)
    quantity_received = models.PositiveIntegerField(_("received"))
    quantity_on_hand = models.PositiveIntegerField(_("on hand"))
    unit_value = models.DecimalField(_("value each"), max_digits=12, decimal_places=2)
    entry = models.ForeignKey(
        "charity.LedgerEntry",
        verbose_name=_("booked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="stock_lots",
        help_text=_("The ledger entry that booked these goods into stock."),
    )
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("stock lot")
        verbose_name_plural = _("stock")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="stocklot_on_hand_within_received",
                condition=Q(quantity_on_hand__lte=models.F("quantity_received")),
            ),
            models.CheckConstraint(
                name="stocklot_sane",
                condition=Q(quantity_received__lte=1_000_000, unit_value__gt=0)
                & Q(unit_value__lte=Decimal("1000000")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity_on_hand} × {self.description} @ {self.warehouse}"

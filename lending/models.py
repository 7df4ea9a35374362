from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Warehouse(models.Model):
    """Where goods and equipment are kept: one main warehouse (总仓), branches (分仓) at stations.

    The database allows at most one main warehouse; the first migration creates it,
    and warehouse services never remove it, so there is exactly one.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    station = models.OneToOneField(
        "accounts.Station",
        verbose_name=_("station"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="warehouse",
    )
    is_main = models.BooleanField(_("main warehouse"), default=False)
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["-is_main", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_main"], condition=Q(is_main=True), name="warehouse_single_main"
            ),
            models.CheckConstraint(
                name="warehouse_branch_has_station",
                condition=Q(is_main=True) | Q(station__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return str(_("Main warehouse")) if self.is_main else self.name


class StockLot(models.Model):
    """Quantity stock from a goods gift (e.g. 200 power strips), at one warehouse.

    Wishes and lending draw on quantity_on_hand; the database keeps it within bounds.
    """

    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="stock")
    description = models.CharField(_("goods"), max_length=200)
    quantity_received = models.PositiveIntegerField(_("received"))
    quantity_on_hand = models.PositiveIntegerField(_("on hand"))
    unit_value = models.DecimalField(_("value each"), max_digits=12, decimal_places=2)
    intake = models.OneToOneField(
        "donations.GoodsIntake", on_delete=models.PROTECT, related_name="stock_lot"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("stock lot")
        verbose_name_plural = _("stock")
        constraints = [
            models.CheckConstraint(
                name="stocklot_on_hand_within_received",
                condition=Q(quantity_on_hand__lte=models.F("quantity_received")),
            )
        ]

    def __str__(self) -> str:
        return f"{self.quantity_on_hand} × {self.description} @ {self.warehouse}"

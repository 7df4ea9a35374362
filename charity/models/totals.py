"""Per-account monthly totals of the ledger, kept by the posting service.

Why: balances, monthly flows and what each fund raised are read on every public page and by the
open-data API; summing a million legs per request does not scale. ``entry_post`` adds each
entry's legs to these rows in the same transaction, so they are never behind the legs; the
``ledger_totals`` command (and a test) recomputes them from the legs and compares.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LedgerMonth(models.Model):
    """What one account's legs of one entry kind add up to in one local calendar month."""

    account = models.ForeignKey(
        "charity.Account",
        on_delete=models.PROTECT,
        related_name="months",
        verbose_name=_("account"),
    )
    currency = models.CharField(_("currency"), max_length=3)
    month = models.DateField(_("month"))  # the first day, in the fund's time zone
    entry_kind = models.CharField(_("entry kind"), max_length=20)
    debits = models.DecimalField(_("debits"), max_digits=16, decimal_places=2, default=0)
    credits = models.DecimalField(_("credits"), max_digits=16, decimal_places=2, default=0)
    legs = models.PositiveIntegerField(_("legs"), default=0)

    class Meta:
        verbose_name = _("monthly ledger total")
        verbose_name_plural = _("monthly ledger totals")
        constraints = [
            models.UniqueConstraint(
                fields=["account", "month", "entry_kind"], name="ledgermonth_one_row"
            ),
            models.CheckConstraint(
                name="ledgermonth_signs",
                condition=models.Q(debits__gte=0) & models.Q(credits__lte=0),
            ),
        ]
        indexes = [models.Index(fields=["currency", "month"])]

    def __str__(self) -> str:
        return f"{self.account_id} {self.month:%Y-%m} {self.entry_kind}"

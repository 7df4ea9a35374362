"""Reports the fund publishes to its administrators: one row per period, made once (a second
request for the same period returns the first, files and all)."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Report(models.Model):
    """The disbursement report of a period: what came in, what left the pool and each
    earmarked fund (to what, approved by whom, when), balances at both ends; as PDF and CSV."""

    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("until (inclusive)"))
    figures = models.JSONField(_("figures"))
    pdf = models.CharField(_("PDF"), max_length=200)
    csv = models.CharField(_("CSV"), max_length=200)
    made_at = models.DateTimeField(_("made at"), auto_now_add=True)
    emailed_at = models.DateTimeField(_("sent to the fund administrators"), null=True, blank=True)

    class Meta:
        verbose_name = _("disbursement report")
        verbose_name_plural = _("disbursement reports")
        ordering = ["-period_start", "-period_end"]
        constraints = [
            models.UniqueConstraint(fields=["period_start", "period_end"], name="report_once"),
            models.CheckConstraint(
                name="report_period_in_order", condition=Q(period_end__gte=F("period_start"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period_start}–{self.period_end}"

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


class StatementBatch(models.Model):
    """The year-end run: one annual statement for every donor who gave that year, each
    rendered and e-mailed once. Started again, it carries on where it stopped."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    started_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("started by"),
    )
    started_at = models.DateTimeField(_("first started at"), auto_now_add=True)
    resumed_at = models.DateTimeField(_("last started at"), null=True, blank=True)
    starts = models.PositiveIntegerField(_("times started"), default=1)

    class Meta:
        verbose_name = _("year-end statement batch")
        verbose_name_plural = _("year-end statement batches")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class Statement(models.Model):
    """One donor's annual statement in a batch. ``sending_at`` is written (and committed)
    before the mail goes out, so a worker killed mid-send never leads to a second mail: such
    a statement is listed as a failure for staff to check instead."""

    class Failure(models.TextChoices):
        NO_ADDRESS = "no_address", _("The donor has no e-mail address on record")
        PDF = "pdf", _("The PDF could not be made")
        MAIL = "mail", _("The mail server refused or did not answer")
        INTERRUPTED = (
            "interrupted",
            _("Interrupted while sending: it may have arrived, so it is not sent again by itself"),
        )

    batch = models.ForeignKey(StatementBatch, on_delete=models.CASCADE, related_name="statements")
    donor = models.ForeignKey(
        "donations.Donor", on_delete=models.PROTECT, related_name="+", verbose_name=_("donor")
    )
    pdf = models.CharField(_("PDF"), max_length=200, blank=True)
    rendered_at = models.DateTimeField(_("made at"), null=True, blank=True)
    sending_at = models.DateTimeField(_("sending started at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    emailed_to = models.EmailField(_("e-mailed to"), blank=True)
    failure = models.CharField(
        _("why it failed"), max_length=20, choices=Failure.choices, blank=True
    )
    failure_detail = models.CharField(_("details"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("annual statement")
        verbose_name_plural = _("annual statements")
        constraints = [
            models.UniqueConstraint(fields=["batch", "donor"], name="statement_once_per_donor"),
            models.CheckConstraint(
                name="statement_sent_after_made",
                condition=Q(emailed_at__isnull=True)
                | (Q(rendered_at__isnull=False) & Q(sending_at__isnull=False)),
            ),
        ]
        indexes = [models.Index(fields=["batch", "emailed_at"], name="statement_batch_sent")]

    def __str__(self) -> str:
        return f"{self.batch.year} #{self.donor_id}"

    @property
    def failure_reason(self) -> str:
        """Why it did not go out; a send that never finished has no code of its own."""
        return self.get_failure_display() if self.failure else str(self.Failure.INTERRUPTED.label)

import secrets

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ReceiptCounter(models.Model):
    """The last number used in a series and year; locked by the transaction that posts."""

    series = models.CharField(max_length=10, verbose_name=_("series"))
    year = models.PositiveSmallIntegerField(verbose_name=_("year"))
    last_number = models.PositiveIntegerField(default=0, verbose_name=_("last number"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["series", "year"], name="receiptcounter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.series}-{self.year}: {self.last_number}"


def _verification_code() -> str:
    return secrets.token_urlsafe(12)


class Receipt(models.Model):
    """A numbered receipt (e.g. WP-2026-000123). Never deleted or renumbered: voided with a
    reason and, where needed, replaced by a new receipt."""

    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        VOID = "void", _("Void")

    number = models.CharField(_("receipt number"), max_length=30, unique=True)
    series = models.CharField(max_length=10, verbose_name=_("series"))
    year = models.PositiveSmallIntegerField(verbose_name=_("year"))
    sequence = models.PositiveIntegerField(verbose_name=_("number in the year"))
    donation = models.ForeignKey(
        "donations.Donation",
        verbose_name=_("donation"),
        on_delete=models.PROTECT,
        related_name="receipts",
    )
    donor = models.ForeignKey(
        "donations.Donor",
        verbose_name=_("donor"),
        on_delete=models.PROTECT,
        related_name="receipts",
    )
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    issued_at = models.DateTimeField(_("issued at"))
    language = models.CharField(max_length=10, default="zh-hans", verbose_name=_("language"))
    verification_code = models.CharField(
        max_length=32, unique=True, default=_verification_code, verbose_name=_("verification code")
    )
    status = models.CharField(
        _("status"), max_length=5, choices=Status.choices, default=Status.VALID
    )
    void_reason = models.CharField(_("why void"), max_length=255, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("voided at"))
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("replaces"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
    )
    pdf_path = models.CharField(max_length=255, blank=True, verbose_name=_("PDF file"))
    pdf_rendered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("PDF made at"))
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        ordering = ["-year", "-sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "year", "sequence"], name="receipt_sequence_unique"
            ),
            models.CheckConstraint(name="receipt_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(
                name="receipt_void_has_reason",
                condition=Q(status="valid") | ~Q(void_reason=""),
            ),
        ]

    def __str__(self) -> str:
        return self.number

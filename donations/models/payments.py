import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Donation(models.Model):
    """Money or valued goods actually received. Unique by its PaymentIntent (one-time gifts)
    or its invoice (each recurring charge), so no payment is ever counted twice."""

    class Method(models.TextChoices):
        CARD = "card", _("Card")
        ALIPAY = "alipay", _("Alipay")
        WECHAT_PAY = "wechat_pay", _("WeChat Pay")
        BANK_TRANSFER = "bank_transfer", _("Bank transfer")
        CASH = "cash", _("Cash")
        GOODS = "goods", _("Goods")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        PARTIALLY_REFUNDED = "partially_refunded", _("Partly refunded")
        REFUNDED = "refunded", _("Refunded")
        DISPUTED = "disputed", _("Disputed")
        VOIDED = "voided", _("Voided (recorded in error)")

    donor = models.ForeignKey(
        "donations.Donor",
        verbose_name=_("donor"),
        on_delete=models.PROTECT,
        related_name="donations",
    )
    pledge = models.ForeignKey(
        "donations.Pledge",
        verbose_name=_("pledge"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="donations",
    )
    fund = models.ForeignKey(
        "charity.Fund", verbose_name=_("fund"), on_delete=models.PROTECT, related_name="+"
    )
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    show_name = models.BooleanField(_("name shown in public"), default=True)
    # False for a payment for a service (a loan's fee and deposit): no receipt, never listed
    # or counted as giving.
    is_gift = models.BooleanField(_("gift"), default=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    refunded_amount = models.DecimalField(_("refunded"), max_digits=12, decimal_places=2, default=0)
    received_at = models.DateTimeField(_("received at"), db_index=True)
    stripe_payment_intent = models.CharField(
        _("Stripe payment"), max_length=255, unique=True, null=True, blank=True
    )
    stripe_invoice = models.CharField(
        max_length=255, unique=True, null=True, blank=True, verbose_name=_("Stripe invoice")
    )
    stripe_charge = models.CharField(
        max_length=255, blank=True, db_index=True, verbose_name=_("Stripe charge")
    )
    offline_reference = models.CharField(
        _("reference"), max_length=120, unique=True, null=True, blank=True
    )
    entry = models.OneToOneField(
        "charity.LedgerEntry",
        on_delete=models.PROTECT,
        related_name="donation",
        verbose_name=_("ledger entry"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("donation")
        verbose_name_plural = _("donations")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.CheckConstraint(name="donation_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(
                name="donation_amount_sane", condition=Q(amount__lte=Decimal("10000000"))
            ),
            models.CheckConstraint(
                name="donation_refund_within_amount",
                condition=Q(refunded_amount__gte=0) & Q(refunded_amount__lte=models.F("amount")),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.amount} {self.currency}"

    @property
    def kept_amount(self):  # type: ignore[no-untyped-def]
        return self.amount - self.refunded_amount


class Refund(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    donation = models.ForeignKey(
        Donation, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("donation")
    )
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=255)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    idempotency_key = models.UUIDField(
        default=uuid.uuid4, unique=True, editable=False, verbose_name=_("idempotency key")
    )
    stripe_refund_id = models.CharField(
        max_length=255, unique=True, null=True, blank=True, verbose_name=_("Stripe refund")
    )
    failure = models.CharField(max_length=255, blank=True, verbose_name=_("failure"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("asked by"),
    )
    entry = models.OneToOneField(
        "charity.LedgerEntry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="refund",
        verbose_name=_("ledger entry"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("asked at"))
    # When it was last sent to Stripe: a second send within moments is a double click.
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sent to Stripe at"))
    completed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("completed at"))

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        constraints = [
            models.CheckConstraint(name="refund_amount_positive", condition=Q(amount__gt=0))
        ]

    def __str__(self) -> str:
        return f"{self.amount} of donation #{self.donation_id}"


class StripeEvent(models.Model):
    """Every webhook event, stored once by its id before anything is done with it."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        PROCESSED = "processed", _("Processed")
        IGNORED = "ignored", _("Ignored")
        FAILED = "failed", _("Failed")

    stripe_id = models.CharField(max_length=255, unique=True, verbose_name=_("Stripe event"))
    type = models.CharField(max_length=100, db_index=True, verbose_name=_("type"))
    payload = models.JSONField(verbose_name=_("payload"))
    status = models.CharField(
        max_length=10,
        choices=Status.choices,
        default=Status.RECEIVED,
        db_index=True,
        verbose_name=_("status"),
    )
    attempts = models.PositiveIntegerField(default=0, verbose_name=_("attempts"))
    last_error = models.TextField(blank=True, verbose_name=_("last error"))
    received_at = models.DateTimeField(auto_now_add=True, verbose_name=_("received at"))
    processed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("processed at"))
    # The sweep (events_sweep) queues an unfinished event again no earlier than this.
    next_attempt_at = models.DateTimeField(null=True, blank=True, verbose_name=_("next attempt at"))
    # Set once staff were told the event still fails after the sweep's last attempt.
    alerted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("staff told at"))

    class Meta:
        verbose_name = _("Stripe event")
        verbose_name_plural = _("Stripe events")
        indexes = [
            # what the dispatcher claims: stored, not yet taken (a small part of a big table)
            models.Index(
                fields=["id"],
                condition=Q(status="received", next_attempt_at__isnull=True),
                name="stripe_event_undispatched",
            )
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.stripe_id}"


class GoodsIntake(models.Model):
    """What actually arrived for a goods pledge, valued by a fund administrator."""

    class Condition(models.TextChoices):
        NEW = "new", _("New")
        GOOD = "good", _("Good")
        FAIR = "fair", _("Fair")

    pledge = models.ForeignKey(
        "donations.Pledge",
        verbose_name=_("pledge"),
        on_delete=models.PROTECT,
        related_name="intakes",
    )
    description = models.CharField(_("goods"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity received"))
    condition = models.CharField(_("condition"), max_length=10, choices=Condition.choices)
    unit_value = models.DecimalField(_("fair value each"), max_digits=12, decimal_places=2)
    warehouse = models.ForeignKey(
        "accounts.Warehouse",
        verbose_name=_("warehouse"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    donation = models.OneToOneField(
        Donation, verbose_name=_("donation"), on_delete=models.PROTECT, related_name="intake"
    )
    stock_lot = models.OneToOneField(
        "charity.StockLot",
        verbose_name=_("stock lot"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="intake",
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("received by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    note = models.CharField(
        _("note"),
        max_length=255,
        blank=True,
        help_text=_("e.g. how what arrived differs from what was pledged"),
    )

    class Meta:
        verbose_name = _("goods intake")
        verbose_name_plural = _("goods intakes")
        constraints = [
            models.CheckConstraint(name="intake_quantity_positive", condition=Q(quantity__gt=0)),
            models.CheckConstraint(name="intake_value_positive", condition=Q(unit_value__gt=0)),
            models.CheckConstraint(
                name="intake_sane",
                condition=Q(quantity__lte=100_000, unit_value__lte=Decimal("1000000")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.description}"

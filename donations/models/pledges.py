import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from charity.purposes import Purpose


class Pledge(models.Model):
    """A promise to give money (once, monthly, yearly) or goods, into one fund."""

    class Kind(models.TextChoices):
        MONEY = "money", _("Money")
        GOODS = "goods", _("Goods")

    class Interval(models.TextChoices):
        ONCE = "once", _("Once")
        MONTH = "month", _("Every month")
        YEAR = "year", _("Every year")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for payment")
        PAID = "paid", _("Paid")
        ACTIVE = "active", _("Active (recurring)")
        AWAITING_GOODS = "awaiting_goods", _("Waiting for the goods")
        RECEIVED = "received", _("Goods received")
        FAILED = "failed", _("Payment failed")
        EXPIRED = "expired", _("Expired")
        CANCELLED = "cancelled", _("Cancelled")
        DECLINED = "declined", _("Declined with thanks")

    donor = models.ForeignKey(
        "donations.Donor", verbose_name=_("donor"), on_delete=models.PROTECT, related_name="pledges"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("made by"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    amount = models.DecimalField(
        _("amount"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    interval = models.CharField(
        _("how often"), max_length=10, choices=Interval.choices, default=Interval.ONCE
    )
    fund = models.ForeignKey(
        "charity.Fund", verbose_name=_("purpose"), on_delete=models.PROTECT, related_name="+"
    )
    show_name = models.BooleanField(
        _("show our name in public"),
        default=False,
        help_text=_("If not, the public sees “a caring company” or “a caring person”."),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    goods_description = models.CharField(_("goods"), max_length=200, blank=True)
    goods_quantity = models.PositiveIntegerField(_("quantity"), null=True, blank=True)
    goods_unit_value = models.DecimalField(
        _("estimated value each"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    # What the gift is for when it is not a published fund (charity.purposes), e.g. ("wish", 42).
    purpose_key = models.CharField(_("purpose"), max_length=20, blank=True)
    purpose_id = models.PositiveBigIntegerField(_("purpose id"), null=True, blank=True)
    stripe_customer_id = models.CharField(
        max_length=255, blank=True, verbose_name=_("Stripe customer")
    )
    stripe_subscription_id = models.CharField(
        max_length=255, unique=True, null=True, blank=True, verbose_name=_("Stripe subscription")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                name="pledge_money_has_amount",
                condition=Q(kind="goods") | Q(amount__gt=0),
            ),
            models.CheckConstraint(
                name="pledge_goods_have_quantity",
                condition=Q(kind="money") | (Q(goods_quantity__gt=0) & Q(interval="once")),
            ),
            # Sane ranges (donations.limits), so no report or receipt meets an absurd number.
            models.CheckConstraint(
                name="pledge_amount_sane",
                condition=Q(amount__isnull=True) | Q(amount__lte=Decimal("1000000")),
            ),
            models.CheckConstraint(
                name="pledge_goods_sane",
                condition=(Q(goods_quantity__isnull=True) | Q(goods_quantity__lte=100_000))
                & (
                    Q(goods_unit_value__isnull=True)
                    | Q(goods_unit_value__gt=0, goods_unit_value__lte=Decimal("1000000"))
                ),
            ),
            models.CheckConstraint(
                name="pledge_purpose_whole",
                condition=Q(purpose_key="", purpose_id__isnull=True)
                | (~Q(purpose_key="") & Q(purpose_id__isnull=False)),
            ),
        ]
        indexes = [models.Index(fields=["purpose_key", "purpose_id"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()} {self.amount or self.goods_description}"

    @property
    def is_recurring(self) -> bool:
        return self.interval != self.Interval.ONCE

    @property
    def purpose(self) -> Purpose | None:
        if not self.purpose_key or self.purpose_id is None:
            return None
        return Purpose(self.purpose_key, self.purpose_id)


class CheckoutSession(models.Model):
    """One Stripe Checkout Session, its idempotency key saved before the call to Stripe."""

    class Status(models.TextChoices):
        CREATING = "creating", _("Creating")
        OPEN = "open", _("Open")
        COMPLETE = "complete", _("Complete")
        EXPIRED = "expired", _("Expired")
        FAILED = "failed", _("Failed")

    pledge = models.ForeignKey(
        Pledge, on_delete=models.PROTECT, related_name="checkouts", verbose_name=_("pledge")
    )
    idempotency_key = models.UUIDField(
        default=uuid.uuid4, unique=True, editable=False, verbose_name=_("idempotency key")
    )
    stripe_session_id = models.CharField(
        max_length=255, unique=True, null=True, blank=True, verbose_name=_("Stripe session")
    )
    url = models.URLField(max_length=2000, blank=True, verbose_name=_("address"))
    amount = models.DecimalField(max_digits=12, decimal_places=2, verbose_name=_("amount"))
    currency = models.CharField(max_length=3, verbose_name=_("currency"))
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.CREATING, verbose_name=_("status")
    )
    expires_at = models.DateTimeField(verbose_name=_("expires at"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("checkout session")
        verbose_name_plural = _("checkout sessions")

    def __str__(self) -> str:
        return self.stripe_session_id or str(self.idempotency_key)

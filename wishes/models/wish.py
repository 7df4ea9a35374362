"""Micro-wishes (微心愿): small, concrete needs of residents in hardship.

A wish's public side (title, story, pseudonym, area, what is needed) shows on the board
once staff approve it; who the resident really is stays in accounts.ResidentPrivate.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models, transaction
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# The purpose key (charity.purposes) of money given for one wish: pledges and the wish's
# earmarked fund carry ("wish", wish id).
WISH_PURPOSE = "wish"

# Open wishes first: the board orders by this, and an index on the same expression serves it.
OPEN_FIRST = Case(When(status="open", then=Value(0)), default=Value(1), output_field=IntegerField())


class Campaign(models.Model):
    """A 微公益 project: wishes grouped for one company or occasion (e.g. 冬季送温暖: 60 条厚棉被),
    with its own page, thermometer and poster. Each wish inside still moves on its own."""

    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("for member company"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("charity project")
        verbose_name_plural = _("charity projects")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class Wish(models.Model):
    class Category(models.TextChoices):
        DAILY_GOODS = "daily_goods", _("Daily goods")
        CLOTHING = "clothing", _("Clothing")
        FOOD = "food", _("Food")
        HOME_REPAIR = "home_repair", _("Home repair")
        HEALTH_AID = "health_aid", _("Health aid")
        COMPANIONSHIP = "companionship", _("Companionship or service")
        OTHER = "other", _("Other")

    class Kind(models.TextChoices):
        ITEM = "item", _("An item")
        MONEY = "money", _("An amount of money")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting for review")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        REJECTED = "rejected", _("Not accepted")
        OPEN = "open", pgettext_lazy("wish status", "Open")
        CLAIMED = "claimed", _("Claimed")
        FUNDED = "funded", _("Fully funded")
        DELIVERED = "delivered", _("Delivered")
        FULFILLED = "fulfilled", _("Fulfilled")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Consent(models.TextChoices):
        SELF = "self", _("Posted by the resident")
        IN_PERSON = "in_person", _("In person")
        PHONE = "phone", _("By phone")
        PAPER = "paper", _("On paper")

    PUBLIC_STATUSES = ("open", "claimed", "funded", "delivered", "fulfilled")

    resident = models.ForeignKey(
        "accounts.Resident",
        on_delete=models.PROTECT,
        related_name="wishes",
        verbose_name=_("resident"),
    )
    station = models.ForeignKey(
        "accounts.Station",
        on_delete=models.PROTECT,
        related_name="wishes",
        verbose_name=_("station"),
    )
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("posted by"),
    )
    consent = models.CharField(_("how the resident agreed"), max_length=10, choices=Consent.choices)
    title = models.CharField(_("what is needed"), max_length=80)
    story = models.TextField(_("why"), max_length=1000)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    quantity = models.PositiveIntegerField(_("quantity"), null=True, blank=True)
    target_amount = models.DecimalField(
        _("amount needed"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    committed_amount = models.DecimalField(
        _("given or on its way"),
        max_digits=10,
        decimal_places=2,
        default=0,
        help_text=_(
            "Paid chip-ins, approved disbursements and checkouts still open; "
            "never above the target."
        ),
    )
    needed_by = models.DateField(_("needed by"))
    pseudonym = models.CharField(_("public name"), max_length=40)
    coarse_area = models.CharField(_("public area"), max_length=60)
    # private file name, re-encoded; shown in public only with the resident's consent
    photo = models.CharField(max_length=120, blank=True, verbose_name=_("photo"))
    photo_public = models.BooleanField(
        _("the resident agreed to show the photo in public"), default=False
    )
    # A form's one-time token: the same post sent three times makes one wish.
    submission_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    staff_message = models.CharField(_("message from staff"), max_length=500, blank=True)
    claim_days = models.PositiveSmallIntegerField(_("days a claim may take"), default=14)
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="wishes",
        verbose_name=_("charity project"),
    )
    fund = models.OneToOneField(
        "charity.Fund",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="wish",
        verbose_name=_("earmarked fund"),
    )
    thank_you_note = models.TextField(_("thank-you note"), max_length=1000, blank=True)
    thank_you_photo = models.CharField(
        max_length=120, blank=True, verbose_name=_("thank-you photo")
    )
    thank_you_photo_public = models.BooleanField(
        _("the resident agreed to show the photo"), default=False
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("posted at"))
    published_at = models.DateTimeField(null=True, blank=True, verbose_name=_("published at"))
    fulfilled_at = models.DateTimeField(null=True, blank=True, verbose_name=_("fulfilled at"))

    class Meta:
        verbose_name = _("micro-wish")
        verbose_name_plural = _("micro-wishes")
        indexes = [
            # The board's order (open first, newest first): read 24 rows, not sort thousands.
            models.Index(
                OPEN_FIRST,
                F("published_at").desc(),
                F("id").desc(),
                name="wish_board_order",
            ),
            models.Index(fields=["status", "-published_at"]),
            models.Index(fields=["station", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="wish_money_has_target",
                condition=Q(kind="item", quantity__gt=0) | Q(kind="money", target_amount__gt=0),
            ),
            models.CheckConstraint(
                name="wish_sane",
                condition=(Q(quantity__isnull=True) | Q(quantity__lte=1000))
                & (Q(target_amount__isnull=True) | Q(target_amount__lte=Decimal("20000"))),
            ),
            models.CheckConstraint(
                name="wish_never_overfunded",
                condition=Q(committed_amount__gte=0)
                & (Q(target_amount__isnull=True) | Q(committed_amount__lte=F("target_amount"))),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        """A wish saved is a wish changed: the board's shared copies go once it commits."""
        from wishes import cache as board_cache

        super().save(*args, **kwargs)
        transaction.on_commit(board_cache.board_changed)

    @property
    def is_public(self) -> bool:
        return self.status in self.PUBLIC_STATUSES

    @property
    def remaining(self):  # type: ignore[no-untyped-def]
        return (self.target_amount or 0) - self.committed_amount


class Claim(models.Model):
    """A donor takes on a whole wish. The database allows one active claim per wish."""

    class Status(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("claim status", "Active")
        DELIVERED = "delivered", _("Delivered")
        LAPSED = "lapsed", _("Lapsed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    wish = models.ForeignKey(
        Wish, on_delete=models.PROTECT, related_name="claims", verbose_name=_("micro-wish")
    )
    donor = models.ForeignKey(
        "donations.Donor", on_delete=models.PROTECT, related_name="claims", verbose_name=_("donor")
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("claimed by"),
    )
    show_name = models.BooleanField(_("show our name in public"), default=False)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.ACTIVE, verbose_name=_("status")
    )
    deadline = models.DateTimeField(_("deliver by"))
    reminded_at = models.DateTimeField(null=True, blank=True, verbose_name=_("reminded at"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("claimed at"))
    closed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("closed at"))

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        constraints = [
            models.UniqueConstraint(
                fields=["wish"], condition=Q(status="active"), name="claim_one_active_per_wish"
            )
        ]

    def __str__(self) -> str:
        return f"claim #{self.pk} on wish #{self.wish_id}"


class ChipIn(models.Model):
    """Part of a money wish (拼心愿), held while its checkout is open, then paid or released."""

    class Status(models.TextChoices):
        HELD = "held", _("Waiting for payment")
        PAID = "paid", _("Paid")
        RELEASED = "released", _("Released")

    wish = models.ForeignKey(
        Wish, on_delete=models.PROTECT, related_name="chip_ins", verbose_name=_("micro-wish")
    )
    pledge = models.OneToOneField(
        "donations.Pledge",
        on_delete=models.PROTECT,
        related_name="chip_in",
        verbose_name=_("pledge"),
    )
    amount = models.DecimalField(max_digits=10, decimal_places=2, verbose_name=_("amount"))
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.HELD, verbose_name=_("status")
    )
    expires_at = models.DateTimeField(verbose_name=_("held until"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("chip-in")
        verbose_name_plural = _("chip-ins")
        constraints = [
            models.CheckConstraint(name="chipin_amount_positive", condition=Q(amount__gt=0))
        ]

    def __str__(self) -> str:
        return f"{self.amount} for wish #{self.wish_id}"

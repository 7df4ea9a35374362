import secrets
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person who signs in, by e-mail. Staff roles are groups (accounts.roles)."""

    class Kind(models.TextChoices):
        DONOR = "donor", _("Individual donor")
        COMPANY = "company", _("Company representative")
        RESIDENT = "resident", _("Resident")
        STAFF = "staff", _("Staff")

    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("name"), max_length=100, blank=True)
    kind = models.CharField(
        _("account type"), max_length=16, choices=Kind.choices, default=Kind.DONOR
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    station = models.ForeignKey(
        "accounts.Station",
        verbose_name=_("station"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="workers",
        help_text=_("For community workers: the one station they serve."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []
    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name or self.email


class Community(models.Model):
    """A residential community (小区): where a visitor says they live, so the catalogue can show
    the nearest stations and the walk to each without asking for their location."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    district = models.CharField(_("district"), max_length=60, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)

    class Meta:
        verbose_name = _("residential community")
        verbose_name_plural = _("residential communities")
        ordering = ["district", "name"]
        constraints = [
            models.CheckConstraint(
                name="community_on_the_globe",
                condition=Q(latitude__gte=-90, latitude__lte=90)
                & Q(longitude__gte=-180, longitude__lte=180),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Station(models.Model):
    """A community elder-care station (养老驿站). Every station can be a branch warehouse."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    address = models.CharField(_("address"), max_length=200)
    district = models.CharField(_("district"), max_length=60)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    opening_hours = models.CharField(
        _("opening hours"),
        max_length=120,
        blank=True,
        help_text=_("e.g. 周一至周五 8:30–17:00"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("station")
        verbose_name_plural = _("stations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="station_latitude_range",
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
            ),
            models.CheckConstraint(
                name="station_longitude_range",
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    """A member company (成员单位). Its members act for it; it is a donor of its own."""

    legal_name = models.CharField(_("legal name"), max_length=200, unique=True)
    display_name = models.CharField(_("public display name"), max_length=100)
    contact_name = models.CharField(_("contact person"), max_length=100)
    contact_phone = models.CharField(_("contact phone"), max_length=30)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    show_on_donor_wall = models.BooleanField(
        _("listed among the member companies in public"),
        default=False,
        help_text=_("The company chooses; an approved company is listed only if it says yes."),
    )
    approved_at = models.DateTimeField(
        _("membership approved at"),
        null=True,
        blank=True,
        help_text=_("Set by a fund administrator; needed to pledge when the fund is members-only."),
    )
    declined_at = models.DateTimeField(_("membership declined at"), null=True, blank=True)
    decline_reason = models.CharField(_("why membership was declined"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("member company")
        verbose_name_plural = _("member companies")
        ordering = ["display_name"]

    def __str__(self) -> str:
        return self.display_name


class Membership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", _("Administrator")
        MEMBER = "member", _("Member")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("member company"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("person"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(_("joined at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation}"


def _invitation_token() -> str:
    return secrets.token_urlsafe(32)


class Invitation(models.Model):
    """A colleague invited by e-mail to join an organisation; accepted once."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("member company"),
    )
    email = models.EmailField(_("e-mail address"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("invited by"),
    )
    token = models.CharField(
        max_length=64, unique=True, default=_invitation_token, verbose_name=_("token")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    accepted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("accepted at"))
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("accepted by"),
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return self.email


class Resident(models.Model):
    """A resident of one station: the public side only. Private data is ResidentPrivate.

    A resident may have no account at all; then their notices go to the station's
    workers (养老管家), who act for them.
    """

    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="residents"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("linked account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resident",
    )
    pseudonym = models.CharField(
        _("public name"), max_length=40, help_text=_("What public pages show, e.g. 王奶奶.")
    )
    coarse_area = models.CharField(
        _("public area"), max_length=60, help_text=_("A coarse area the resident agreed to show.")
    )
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("recorded at"))

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["station", "pseudonym"]

    def __str__(self) -> str:
        return f"{self.pseudonym} ({self.coarse_area})"


class ResidentPrivate(models.Model):
    """The sensitive record: readable only by the station's workers and fund administrators."""

    resident = models.OneToOneField(
        Resident, on_delete=models.CASCADE, related_name="private", verbose_name=_("resident")
    )
    real_name = models.CharField(_("real name"), max_length=60)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    identity_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("identity checked by"),
    )
    identity_checked_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("identity checked at")
    )

    class Meta:
        verbose_name = _("private resident record")
        verbose_name_plural = _("private resident records")

    def __str__(self) -> str:
        return f"#{self.resident_id}"


class HardshipStatus(models.Model):
    class Category(models.TextChoices):
        DIBAO = "dibao", _("Minimum living allowance (低保)")
        LOW_INCOME = "low_income", _("Low income (低收入)")
        TEKUN = "tekun", _("Destitute support (特困供养)")
        DISABILITY = "disability", _("Disability (残疾)")
        YOUFU = "youfu", _("Entitled group (优抚)")

    class Proof(models.TextChoices):
        PENDING = "pending", _("Proof pending")
        VERIFIED = "verified", _("Proof verified")
        REJECTED = "rejected", _("Proof rejected")

    private = models.ForeignKey(
        ResidentPrivate,
        on_delete=models.CASCADE,
        related_name="hardships",
        verbose_name=_("private record"),
    )
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    proof_status = models.CharField(
        _("proof"), max_length=10, choices=Proof.choices, default=Proof.PENDING
    )
    expires_on = models.DateField(_("proof expires on"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(null=True, blank=True, verbose_name=_("verified at"))

    class Meta:
        verbose_name = _("hardship status")
        verbose_name_plural = _("hardship statuses")
        constraints = [
            models.UniqueConstraint(fields=["private", "category"], name="hardship_unique_category")
        ]

    def __str__(self) -> str:
        return self.get_category_display()


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

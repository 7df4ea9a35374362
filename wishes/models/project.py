"""One gift to a whole charity project (微公益), shared out over the project's money wishes."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wishes.models.wish import Campaign, Wish

PROJECT_GIFT_PURPOSE = "project"


class ProjectGift(models.Model):
    """A company chips in to the whole project with one payment. Its shares are held on the
    wishes while the checkout is open (as a chip-in is); once paid, one ledger entry moves the
    money from the gift's fund to each wish's fund, and each wish moves on by itself."""

    class Status(models.TextChoices):
        HELD = "held", _("Waiting for payment")
        PAID = "paid", _("Paid")
        RELEASED = "released", _("Released")

    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="gifts", verbose_name=_("project")
    )
    pledge = models.OneToOneField(
        "donations.Pledge",
        on_delete=models.PROTECT,
        related_name="project_gift",
        verbose_name=_("pledge"),
    )
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.HELD
    )
    expires_at = models.DateTimeField(_("held until"))
    entry = models.OneToOneField(
        "charity.LedgerEntry",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("shared out by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("gift to a project")
        verbose_name_plural = _("gifts to projects")
        constraints = [
            models.CheckConstraint(name="projectgift_amount_positive", condition=Q(amount__gt=0))
        ]

    def __str__(self) -> str:
        return f"{self.amount} for project #{self.campaign_id}"


class ProjectShare(models.Model):
    """The part of a project gift that one wish receives."""

    gift = models.ForeignKey(
        ProjectGift, on_delete=models.CASCADE, related_name="shares", verbose_name=_("gift")
    )
    wish = models.ForeignKey(
        Wish, on_delete=models.PROTECT, related_name="project_shares", verbose_name=_("micro-wish")
    )
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = _("share of a project gift")
        verbose_name_plural = _("shares of project gifts")
        constraints = [
            models.CheckConstraint(name="projectshare_amount_positive", condition=Q(amount__gt=0)),
            models.UniqueConstraint(fields=["gift", "wish"], name="projectshare_once"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} of gift #{self.gift_id} → wish #{self.wish_id}"

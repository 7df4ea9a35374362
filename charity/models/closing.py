from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class YearClosing(models.Model):
    """A calendar year (Asia/Shanghai) closed on the books: balances carried forward, and no
    entry may be posted into it any more (a PostgreSQL trigger, charity migration 0013, and
    entry_post). Closing needs a second fund administrator's approval."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Asked to close")
        CLOSED = "closed", _("Closed")

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # each account's balance at the year's end, carried into the next: {code: "amount"}
    balances = models.JSONField(_("balances carried forward"), default=dict, blank=True)

    class Meta:
        verbose_name = _("year closing")
        verbose_name_plural = _("year closings")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                name="yearclosing_four_eyes",
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("requested_by")),
            ),
            models.CheckConstraint(
                name="yearclosing_closed_when_approved",
                condition=Q(status="requested", approved_by__isnull=True, closed_at__isnull=True)
                | Q(status="closed", approved_by__isnull=False, closed_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return str(self.year)

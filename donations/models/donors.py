from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Donor(models.Model):
    """Who gives: one person or one organisation, always stored.

    How a donor appears in public is chosen per pledge; the donor itself is never
    anonymous to the fund.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="donor",
        verbose_name=_("person"),
    )
    organisation = models.OneToOneField(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="donor",
        verbose_name=_("member company"),
    )
    approved_at = models.DateTimeField(
        _("registration approved at"),
        null=True,
        blank=True,
        help_text=_("For a person: needed to pledge when the fund is members-only."),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("donor")
        verbose_name_plural = _("donors")
        constraints = [
            models.CheckConstraint(
                name="donor_person_xor_organisation",
                condition=(Q(user__isnull=False) & Q(organisation__isnull=True))
                | (Q(user__isnull=True) & Q(organisation__isnull=False)),
            )
        ]

    def __str__(self) -> str:
        return str(self.organisation or self.user)

    @property
    def is_organisation(self) -> bool:
        return self.organisation_id is not None

    @property
    def name(self) -> str:
        if self.organisation is not None:
            return self.organisation.display_name
        assert self.user is not None
        return self.user.full_name or self.user.email

    @property
    def legal_name(self) -> str:
        """The name printed on receipts."""
        if self.organisation is not None:
            return self.organisation.legal_name
        assert self.user is not None
        return self.user.full_name or self.user.email

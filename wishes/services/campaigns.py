"""Charity projects (微公益): a fund administrator groups public wishes under a name for one
company or occasion; a member company may claim every open item wish of it at once, each
claim made as a single claim would be (its own lock and transaction), so what one company
claims first is simply refused to the other."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Organisation, User
from accounts.selectors import is_fund_administrator
from core.transitions import transition_record
from wishes.models import Campaign, Claim, Wish
from wishes.services.claims import claim_create


def campaign_create(
    *,
    name: str,
    description: str,
    organisation: Organisation | None,
    wishes: list[Wish],
    by: User,
) -> Campaign:
    if not is_fund_administrator(by):
        raise PermissionDenied
    if not name.strip():
        raise ValidationError(_("Give the project a name."))
    with transaction.atomic():
        campaign = Campaign.objects.create(
            name=name.strip()[:100],
            description=description.strip(),
            organisation=organisation,
            created_by=by,
        )
        transition_record(obj=campaign, from_state="", to_state="created", by=by)
        campaign_wishes_add(campaign=campaign, wishes=wishes, by=by)
    return campaign


def campaign_wishes_add(*, campaign: Campaign, wishes: list[Wish], by: User) -> int:
    """Put public wishes not yet in another project into this one; returns how many."""
    if not is_fund_administrator(by):
        raise PermissionDenied
    ids = [w.pk for w in wishes]
    with transaction.atomic():
        taken = (
            Wish.objects.filter(pk__in=ids)
            .exclude(campaign__isnull=True)
            .exclude(campaign=campaign)
        )
        if taken.exists():
            raise ValidationError(_("Some of these wishes belong to another project already."))
        return Wish.objects.filter(pk__in=ids, status__in=Wish.PUBLIC_STATUSES).update(
            campaign=campaign
        )


def campaign_claim_all(
    *, campaign: Campaign, by: User, organisation: Organisation | None, show_name: bool
) -> tuple[list[Claim], list[dict[str, Any]]]:
    """Claim every open item wish of the project for one donor: the claims made, and the
    wishes refused with why (e.g. someone claimed one a moment earlier)."""
    made, refused = [], []
    for wish in campaign.wishes.filter(status=Wish.Status.OPEN, kind=Wish.Kind.ITEM).order_by("pk"):
        try:
            made.append(
                claim_create(wish=wish, by=by, organisation=organisation, show_name=show_name)
            )
        except (ValidationError, PermissionDenied) as exc:
            refused.append({"wish": wish, "reason": " ".join(getattr(exc, "messages", [str(exc)]))})
    return made, refused

"""Donors: the one record (a person or a member company) that gives, claims and is receipted."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, User
from accounts.selectors import is_fund_administrator
from core.transitions import transition_record
from donations.models import Donor


def donor_for_user(*, user: User) -> Donor:
    """The person's own donor record, created the first time they give or claim."""
    return Donor.objects.get_or_create(user=user)[0]


def donor_for_organisation(*, organisation: Organisation) -> Donor:
    """The company's donor record, created the first time any of its members gives."""
    return Donor.objects.get_or_create(organisation=organisation)[0]


def donor_registration_approve(*, user: User, by: User) -> Donor:
    """A fund administrator approves a person as a registered donor (needed to give when the
    fund is members-only). A repeat changes nothing."""
    if not is_fund_administrator(by):
        raise PermissionDenied
    with transaction.atomic():
        donor, _created = Donor.objects.select_for_update().get_or_create(user=user)
        if donor.approved_at is None:
            donor.approved_at = timezone.now()
            donor.save(update_fields=["approved_at"])
            transition_record(obj=donor, from_state="pending", to_state="approved", by=by)
        return donor

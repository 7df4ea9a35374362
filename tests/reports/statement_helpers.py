"""Donors who gave in a past year, recorded through the services as if it were that year."""

import email
from datetime import datetime
from pathlib import Path

from django.utils import timezone

from accounts.models import Membership, Organisation
from donations.models import Donor
from tests.accounts import factories as f
from tests.donations.helpers import company_donor, offline_gift


def gifts_in(
    monkeypatch, year: int, amounts: list[str], *, admin=None, without_address: int = 0
) -> list[Donor]:  # type: ignore[no-untyped-def]
    """One company donor per amount, each with one gift booked on 1 June of ``year``; the
    first ``without_address`` companies have lost their only administrator (so no address)."""
    zone = timezone.get_default_timezone()
    real_now = timezone.now
    admin = admin or f.fund_administrator()
    monkeypatch.setattr(timezone, "now", lambda: datetime(year, 6, 1, 10, 0, tzinfo=zone))
    try:
        donors = []
        for amount in amounts:
            donor = company_donor()
            offline_gift(donor=donor, amount=amount, admin=admin)
            donors.append(donor)
    finally:
        monkeypatch.setattr(timezone, "now", real_now)
    for donor in donors[:without_address]:
        Membership.objects.filter(organisation=donor.organisation).delete()
        Organisation.objects.filter(pk=donor.organisation_id).update(contact_email="")
    return donors


def mails_in(folder: Path) -> list[email.message.Message]:
    """The messages Django's file e-mail backend wrote (one or more per file)."""
    found = []
    for path in sorted(folder.glob("*.log")):
        for chunk in path.read_text().split("-" * 79):
            if chunk.strip():
                found.append(email.message_from_string(chunk.lstrip("\n")))
    return found

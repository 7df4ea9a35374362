"""Who appears on /transparency/: only approved companies that chose to be listed."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts import services
from accounts.models import Membership
from tests.accounts import factories as f

pytestmark = pytest.mark.django_db


def test_only_approved_companies_that_chose_to_be_listed_appear(client, settings):
    settings.WISHPOOL_MEMBERS_ONLY = True
    admin = f.fund_administrator()
    pending = f.organisation(name="未批准公司甲")
    shy = f.organisation(name="不公开公司乙")
    listed = f.organisation(name="公开公司丙")
    for org in (shy, listed):
        services.organisation_approve(organisation=org, by=admin)
    owner = listed.memberships.get().user
    client.force_login(owner)
    url = reverse("accounts:organisation", args=[listed.pk])
    client.post(url, {"settings": "1", "show_on_donor_wall": "on"})
    client.logout()
    page = client.get(reverse("portal:transparency")).content.decode()
    assert listed.display_name in page
    assert pending.display_name not in page and shy.display_name not in page
    # a company that signs up and opts in is still not listed until approved
    pending_owner = pending.memberships.get().user
    services.organisation_settings_set(
        organisation=pending, by=pending_owner, show_on_donor_wall=True
    )
    assert pending.display_name not in client.get(reverse("portal:transparency")).content.decode()


def test_only_the_companys_administrators_change_its_listing(client):
    org = f.organisation()
    member = f.UserFactory()
    Membership.objects.create(organisation=org, user=member)
    client.force_login(member)
    response = client.post(
        reverse("accounts:organisation", args=[org.pk]),
        {"settings": "1", "show_on_donor_wall": "on"},
    )
    assert response.status_code == 403
    org.refresh_from_db()
    assert not org.show_on_donor_wall
    with pytest.raises(PermissionDenied):
        services.organisation_settings_set(organisation=org, by=member, show_on_donor_wall=True)


def test_a_gift_voided_as_recorded_in_error_is_neither_in_nor_out_nor_listed(client):
    from decimal import Decimal

    from charity.selectors import fund_raised, monthly_flows
    from donations.selectors import giving_for_user
    from donations.services.offline import donation_void
    from tests.donations.helpers import offline_gift

    kept = offline_gift(amount="300")
    wrong = offline_gift(amount="800")
    before = monthly_flows()[0]
    assert (before["in"], before["out"]) == (Decimal("1100.00"), Decimal("0"))
    donation_void(donation=wrong, reason="记错了", by=f.fund_administrator())
    after = monthly_flows()[0]
    assert (after["in"], after["out"]) == (Decimal("300.00"), Decimal("0"))
    assert fund_raised()[kept.fund_id] == Decimal("300.00")
    wrong_name = wrong.donor.organisation.display_name
    page = client.get(reverse("portal:transparency")).content.decode()
    assert kept.donor.organisation.display_name in page and wrong_name not in page
    owner = wrong.donor.organisation.memberships.get().user
    (mine,) = giving_for_user(user=owner)
    assert mine["yearly_totals"] == [] and mine["donations"] == [wrong]  # listed, not counted

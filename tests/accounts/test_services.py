import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from accounts import services
from accounts.models import Membership, User, Warehouse
from donations.models import Donor
from tests.accounts import factories as f

pytestmark = pytest.mark.django_db


def test_station_is_a_branch_warehouse():
    station = f.station("梅园")
    assert station.warehouse.is_main is False
    assert Warehouse.objects.filter(is_main=True).count() == 1


def test_database_refuses_a_second_main_warehouse():
    with pytest.raises(IntegrityError), transaction.atomic():
        Warehouse.objects.create(name="另一个总仓", is_main=True)


def test_branch_warehouse_needs_a_station():
    with pytest.raises(IntegrityError), transaction.atomic():
        Warehouse.objects.create(name="无站分仓", is_main=False)


def test_donor_is_a_person_or_an_organisation_never_both():
    org = f.organisation()
    user = f.UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Donor.objects.create(user=user, organisation=org)
    with pytest.raises(IntegrityError), transaction.atomic():
        Donor.objects.create()
    assert Donor.objects.create(organisation=org).is_organisation


def test_invitation_joins_once_and_only_for_the_invited_address(
    mailoutbox, django_capture_on_commit_callbacks
):
    org = f.organisation()
    owner = org.memberships.get().user
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.organisation_invite(
            organisation=org, invited_by=owner, email="New@Example.org"
        )
    assert len(mailoutbox) == 1 and invitation.token in mailoutbox[0].body
    stranger = f.UserFactory(email="stranger@example.org")
    with pytest.raises(ValidationError):
        services.invitation_accept(token=invitation.token, user=stranger)
    invited = f.UserFactory(email="new@example.org")
    services.invitation_accept(token=invitation.token, user=invited)
    services.invitation_accept(token=invitation.token, user=invited)  # a repeat is quiet
    assert Membership.objects.filter(organisation=org, user=invited).count() == 1
    assert User.objects.get(pk=invited.pk).kind == User.Kind.COMPANY


def test_outsider_cannot_invite():
    org = f.organisation()
    with pytest.raises(PermissionDenied):
        services.organisation_invite(
            organisation=org, invited_by=f.UserFactory(), email="a@example.org"
        )


def test_duplicate_legal_name_is_refused():
    f.organisation(name="同名公司")
    with pytest.raises(ValidationError):
        f.organisation(name="同名公司")


def test_only_workers_create_residents_in_their_own_station():
    with pytest.raises(PermissionDenied):
        services.resident_create(
            worker=f.UserFactory(), pseudonym="x", coarse_area="y", real_name="z"
        )
    worker = f.worker()
    resident = f.resident(by=worker)
    assert resident.station_id == worker.station_id
    assert resident.user is None and resident.private.real_name == "王秀英"


def test_linking_a_resident_account_checks_kind_and_uniqueness():
    worker = f.worker()
    resident = f.resident(by=worker)
    donor = f.UserFactory()
    with pytest.raises(ValidationError):
        services.resident_link_user(worker=worker, resident=resident, email=donor.email)
    person = f.UserFactory(kind=User.Kind.RESIDENT)
    services.resident_link_user(worker=worker, resident=resident, email=person.email)
    services.resident_link_user(
        worker=worker, resident=resident, email=person.email
    )  # repeat: quiet
    resident.refresh_from_db()
    assert resident.user == person
    assert resident.private.identity_checked_by == worker
    with pytest.raises(ValidationError):
        services.resident_link_user(
            worker=worker, resident=f.resident(by=worker), email=person.email
        )


def test_worker_of_another_station_cannot_link_or_record_hardship():
    resident = f.resident()
    outsider = f.worker(f.station("别的站"))
    with pytest.raises(PermissionDenied):
        services.resident_link_user(worker=outsider, resident=resident, email="a@example.org")
    with pytest.raises(PermissionDenied):
        services.hardship_record(
            staff=outsider,
            resident=resident,
            category="dibao",
            proof_status="verified",
            expires_on=None,
        )


def test_worker_role_needs_a_station():
    with pytest.raises(ValidationError):
        services.staff_role_grant(user=f.UserFactory(), role="community_worker")


def test_an_accepted_invitation_cannot_be_used_again(django_capture_on_commit_callbacks):
    org = f.organisation()
    owner = org.memberships.get().user
    invitation = services.organisation_invite(
        organisation=org, invited_by=owner, email="once@example.org"
    )
    person = f.UserFactory(email="once@example.org")
    services.invitation_accept(token=invitation.token, user=person)
    Membership.objects.filter(organisation=org, user=person).delete()  # removed from the company
    with pytest.raises(ValidationError):
        services.invitation_accept(token=invitation.token, user=person)
    assert not Membership.objects.filter(organisation=org, user=person).exists()

"""Fund administrators manage staff on the "Staff" screen under Community: roles are given to
existing accounts by e-mail and taken away through the services, each change leaves history,
the fund never loses its last administrator, and bad input changes nothing."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation
from wagtail.users.models import UserProfile

from accounts import roles, selectors, services
from accounts.models import User
from core.models import Transition
from core.transitions import history_for
from tests.accounts import factories as f

pytestmark = pytest.mark.django_db

STAFF = "/cms/community/staff/"


def _admin(**kwargs):  # type: ignore[no-untyped-def]
    user = f.fund_administrator(**kwargs)
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


def _role_history() -> list[tuple[str, str, str]]:
    return list(
        Transition.objects.filter(object_type="accounts.user").values_list(
            "object_id", "from_state", "to_state"
        )
    )


def _has_role(user: User, role: str) -> bool:
    return User.objects.get(pk=user.pk).groups.filter(name=role).exists()


def test_the_staff_screen_is_under_community_and_lists_roles_and_stations(client):
    admin = _admin()
    worker = f.worker(f.station("梅园驿站"))
    editor = services.staff_role_grant(user=f.UserFactory(), role=roles.EDITOR)
    donor = f.UserFactory()
    client.force_login(admin)
    assert reverse("community:staff") == STAFF
    assert STAFF in client.get("/cms/").content.decode()  # the Community menu links to it
    page = client.get(STAFF)
    assert page.status_code == 200
    body = page.content.decode()
    for person in (admin, worker, editor):
        assert person.email in body
    assert donor.email not in body
    assert "梅园驿站" in body
    for label in ("Fund administrator", "Community worker", "Editor"):
        assert label in body


def test_a_second_fund_administrator_is_added_by_email_with_history(client):
    admin = _admin()
    colleague = f.UserFactory(email="Colleague@Example.org")
    client.force_login(admin)
    response = client.post(
        STAFF, {"email": "colleague@example.org", "role": roles.FUND_ADMINISTRATOR}
    )
    assert response.status_code == 302 and response["Location"] == STAFF
    colleague.refresh_from_db()
    assert selectors.is_fund_administrator(colleague)
    assert colleague.is_staff and colleague.kind == User.Kind.STAFF
    entry = history_for(colleague).get()
    assert (entry.from_state, entry.to_state, entry.by_id) == (
        "",
        "role:fund_administrator",
        admin.pk,
    )
    assert "colleague@example.org" in client.get(STAFF).content.decode().lower()


def test_a_community_worker_is_added_to_a_station(client):
    station = f.station("新桥驿站")
    person = f.UserFactory()
    client.force_login(_admin())
    response = client.post(
        STAFF,
        {"email": person.email, "role": roles.COMMUNITY_WORKER, "station": str(station.pk)},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert selectors.is_community_worker(person) and person.station == station
    entry = history_for(person).get()
    assert entry.to_state == "role:community_worker" and entry.reason == "新桥驿站"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"role": roles.COMMUNITY_WORKER}, "A community worker must belong to a station."),
        (
            {"role": roles.EDITOR, "station": "STATION"},
            "Only community workers belong to a station.",
        ),
        ({"role": "superuser"}, "Select a valid choice."),
        ({"role": "resident"}, "Select a valid choice."),
        ({"role": roles.EDITOR, "email": "nobody@example.org"}, "No account uses this e-mail"),
        ({"role": roles.EDITOR, "email": "UNVERIFIED"}, "has not confirmed its e-mail address"),
    ],
)
def test_bad_input_on_the_staff_screen_gets_a_message_and_changes_nothing(client, data, message):
    """ "STATION" and "UNVERIFIED" stand for a station and an account made below."""
    station = f.station()
    person = f.UserFactory()
    unverified = User.objects.create_user(email="unverified@example.org", password=f.PASSWORD)
    data = {"email": person.email, **data}
    data["email"] = {"UNVERIFIED": unverified.email}.get(data["email"], data["email"])
    if data.get("station") == "STATION":
        data["station"] = str(station.pk)
    admin = _admin()
    client.force_login(admin)
    before = _role_history()
    response = client.post(STAFF, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    for user in (person, unverified):
        user.refresh_from_db()
        assert not user.groups.exists() and not user.is_staff and user.station is None
    assert _role_history() == before


def test_a_worker_at_one_station_is_not_moved_by_a_second_grant():
    worker = f.worker(f.station("甲站"))
    other = f.station("乙站")
    with (
        translation.override("en"),
        pytest.raises(ValidationError, match="already a community worker at 甲站"),
    ):
        services.staff_role_grant(
            user=worker, role=roles.COMMUNITY_WORKER, station=other, by=f.fund_administrator()
        )
    worker.refresh_from_db()
    assert worker.station.name == "甲站"


def test_a_repeated_grant_is_quiet():
    admin = f.fund_administrator()
    person = f.UserFactory()
    for _ in range(2):
        services.staff_role_grant(user=person, role=roles.EDITOR, by=admin)
    assert history_for(person).count() == 1
    assert list(User.objects.get(pk=person.pk).groups.values_list("name", flat=True)) == [
        roles.EDITOR
    ]


def test_removing_a_role_writes_history_and_a_worker_leaves_the_station(client):
    admin = _admin()
    worker = f.worker(f.station("梅园驿站"))
    client.force_login(admin)
    response = client.post(
        reverse("community:staff_revoke", args=[worker.pk]), {"role": roles.COMMUNITY_WORKER}
    )
    assert response.status_code == 302 and response["Location"] == STAFF
    worker.refresh_from_db()
    assert not worker.groups.exists()
    assert worker.station is None and not worker.is_staff and worker.kind == User.Kind.DONOR
    removal = history_for(worker).get(to_state="")
    assert (removal.from_state, removal.by_id, removal.reason) == (
        "role:community_worker",
        admin.pk,
        "梅园驿站",
    )
    assert worker.pk not in [row["user"].pk for row in client.get(STAFF).context["people"]]


def test_a_person_keeps_the_roles_not_removed():
    admin = f.fund_administrator()
    person = f.worker()
    services.staff_role_grant(user=person, role=roles.EDITOR, by=admin)
    services.staff_role_revoke(user=person, role=roles.EDITOR, by=admin)
    person.refresh_from_db()
    assert selectors.is_community_worker(person) and person.is_staff
    assert person.kind == User.Kind.STAFF


def test_the_last_fund_administrator_cannot_be_removed_not_even_by_themself(client):
    Group.objects.get(name=roles.FUND_ADMINISTRATOR).user_set.clear()
    admin = _admin()
    client.force_login(admin)
    url = reverse("community:staff_revoke", args=[admin.pk])
    response = client.post(url, {"role": roles.FUND_ADMINISTRATOR}, follow=True)
    assert "The last fund administrator cannot be removed" in response.content.decode()
    assert _has_role(admin, roles.FUND_ADMINISTRATOR)
    assert not history_for(admin).filter(to_state="").exists()
    with pytest.raises(ValidationError):
        services.staff_role_revoke(user=admin, role=roles.FUND_ADMINISTRATOR, by=admin)

    # with a second one, either may step down (here: themself), and the screen lets them go
    second = f.fund_administrator()
    response = client.post(url, {"role": roles.FUND_ADMINISTRATOR})
    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    assert not _has_role(admin, roles.FUND_ADMINISTRATOR)
    with pytest.raises(ValidationError):
        services.staff_role_revoke(user=second, role=roles.FUND_ADMINISTRATOR, by=second)
    assert _has_role(second, roles.FUND_ADMINISTRATOR)


def test_an_inactive_fund_administrator_does_not_count_as_another_one():
    Group.objects.get(name=roles.FUND_ADMINISTRATOR).user_set.clear()
    admin = f.fund_administrator()
    gone = f.fund_administrator()
    User.objects.filter(pk=gone.pk).update(is_active=False)
    with pytest.raises(ValidationError):
        services.staff_role_revoke(user=admin, role=roles.FUND_ADMINISTRATOR, by=admin)


def test_unknown_roles_and_people_on_the_remove_form_change_nothing(client):
    admin = _admin()
    worker = f.worker()
    client.force_login(admin)
    before = _role_history()
    response = client.post(
        reverse("community:staff_revoke", args=[worker.pk]), {"role": "superuser"}, follow=True
    )
    assert "Unknown role." in response.content.decode()
    assert (
        client.post(
            reverse("community:staff_revoke", args=[99999999]), {"role": roles.EDITOR}
        ).status_code
        == 404
    )
    assert client.get(reverse("community:staff_revoke", args=[worker.pk])).status_code == 405
    assert _role_history() == before and selectors.is_community_worker(worker)


def test_only_fund_administrators_manage_staff(client):
    target = f.worker()
    person = f.UserFactory()
    editor = services.staff_role_grant(user=f.UserFactory(), role=roles.EDITOR)
    for user in (f.worker(), editor, f.UserFactory()):
        client.force_login(user)
        response = client.get(STAFF)
        assert response.status_code in (302, 403)
        assert not (response.status_code == 302 and response["Location"] == STAFF)
        client.post(STAFF, {"email": person.email, "role": roles.FUND_ADMINISTRATOR})
        client.post(
            reverse("community:staff_revoke", args=[target.pk]), {"role": roles.COMMUNITY_WORKER}
        )
    assert not _has_role(person, roles.FUND_ADMINISTRATOR)
    assert _has_role(target, roles.COMMUNITY_WORKER)
    with pytest.raises(PermissionDenied):
        services.staff_role_grant(user=person, role=roles.FUND_ADMINISTRATOR, by=editor)
    with pytest.raises(PermissionDenied):
        services.staff_role_revoke(user=target, role=roles.COMMUNITY_WORKER, by=editor)


def test_a_new_worker_must_set_up_totp_at_their_next_request(client):
    station = f.station()
    person = f.UserFactory()
    theirs = Client()
    theirs.force_login(person)
    assert theirs.get(reverse("accounts:dashboard")).status_code == 200
    client.force_login(_admin())
    client.post(
        STAFF,
        {"email": person.email, "role": roles.COMMUNITY_WORKER, "station": str(station.pk)},
    )
    response = theirs.get(reverse("accounts:dashboard"))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    assert theirs.get(reverse("accounts:residents"))["Location"] == reverse("mfa_activate_totp")


def test_a_residents_account_never_gets_a_staff_role():

    resident_user = f.UserFactory(kind="resident")
    with pytest.raises(ValidationError, match=r"resident|居民"):
        services.staff_role_grant(
            user=resident_user, role=roles.COMMUNITY_WORKER, station=f.station()
        )
    assert not resident_user.groups.exists()

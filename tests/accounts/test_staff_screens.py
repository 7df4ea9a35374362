"""Staff change stations and member companies only through screens that call the services:
a station made there has its branch warehouse, an approval leaves history; the generic
admins only show."""

import pytest
from django.contrib import admin
from django.urls import reverse
from wagtail.users.models import UserProfile

from accounts.models import Organisation, Station, Warehouse
from core.models import Transition
from tests.accounts import factories as f

pytestmark = pytest.mark.django_db


def _admin():  # type: ignore[no-untyped-def]
    user = f.fund_administrator()
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


STATION = {
    "name": "新桥服务站",
    "address": "新桥路 5 号",
    "district": "浦东新区",
    "phone": "021-5555 0000",
    "latitude": "31.230000",
    "longitude": "121.500000",
}


def test_a_station_added_on_the_staff_screen_gets_its_branch_warehouse(client):
    client.force_login(_admin())
    response = client.post(reverse("community:stations"), STATION)
    assert response.status_code == 302
    station = Station.objects.get(name="新桥服务站")
    assert Warehouse.objects.get(station=station).name == "新桥服务站"
    assert Transition.objects.filter(object_type="accounts.station", object_id=str(station.pk))
    # a second station of the same name is refused with a message, nothing added
    page = client.post(reverse("community:stations"), STATION)
    assert page.status_code == 200 and "already exists" in page.content.decode()
    assert Station.objects.filter(name="新桥服务站").count() == 1


def test_editing_a_station_keeps_its_warehouse_in_step(client):
    station = f.station()
    client.force_login(_admin())
    data = {**STATION, "name": "改名驿站", "is_active": ""}
    response = client.post(reverse("community:station_edit", args=[station.pk]), data)
    assert response.status_code == 302
    station.refresh_from_db()
    assert station.name == "改名驿站" and not station.is_active
    assert station.warehouse.name == "改名驿站"
    bad = client.post(
        reverse("community:station_edit", args=[station.pk]), {**data, "latitude": "123"}
    )
    assert bad.status_code == 200
    station.refresh_from_db()
    assert station.latitude != 123


def test_only_fund_administrators_reach_the_community_screens(client):
    for user in (f.worker(), f.UserFactory()):
        client.force_login(user)
        for url in (reverse("community:stations"), reverse("community:organisations")):
            response = client.get(url)
            assert response.status_code in (302, 403)
            assert not (response.status_code == 302 and response["Location"] == url)
        assert client.post(reverse("community:stations"), STATION).status_code in (302, 403)
    assert not Station.objects.filter(name="新桥服务站").exists()


def test_approving_a_company_on_the_approvals_screen_writes_history(client):
    org = f.organisation()
    client.force_login(_admin())
    client.post(reverse("wishpool_approvals"), {"organisation": str(org.pk)})
    org.refresh_from_db()
    assert org.approved_at is not None
    assert Transition.objects.filter(
        object_type="accounts.organisation", object_id=str(org.pk), to_state="approved"
    ).exists()


@pytest.mark.parametrize("value", ["abc", "", "99999999"])
def test_approvals_screen_answers_bad_ids_without_an_error_page(client, value):
    client.force_login(_admin())
    response = client.post(reverse("wishpool_approvals"), {"organisation": value})
    assert response.status_code in (302, 404)
    assert not Organisation.objects.filter(approved_at__isnull=False).exists()


@pytest.mark.parametrize("model", [Station, Organisation, Warehouse])
def test_generic_admins_for_accounts_only_show(rf, model):
    superuser = f.UserFactory(is_superuser=True, is_staff=True)
    request = rf.get("/")
    request.user = superuser
    model_admin = admin.site._registry[model]
    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)

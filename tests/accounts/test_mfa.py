"""TOTP for every role that reads private resident records, and straight to enrolment after
signing in (no second password prompt)."""

import time

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.urls import reverse

from accounts import roles, selectors, services
from accounts.models import User
from tests.accounts import factories as f

pytestmark = pytest.mark.django_db


def test_the_roles_that_read_private_records_need_totp():
    assert selectors.requires_mfa(f.worker(with_totp=False))
    assert selectors.requires_mfa(f.fund_administrator(with_totp=False))
    assert not selectors.requires_mfa(
        services.staff_role_grant(user=f.UserFactory(), role=roles.EDITOR)
    )
    assert not selectors.requires_mfa(f.UserFactory())
    assert not selectors.requires_mfa(f.UserFactory(kind=User.Kind.RESIDENT))


def test_a_community_worker_without_totp_reads_no_private_record(client):
    worker = f.worker(with_totp=False)
    resident = f.resident(by=f.worker(worker.station), real_name="钱秘密")
    client.force_login(worker)
    for url in (
        reverse("accounts:dashboard"),
        reverse("accounts:residents"),
        reverse("accounts:resident", args=[resident.pk]),
        "/cms/",
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("mfa_activate_totp")


def test_a_community_worker_with_totp_reads_their_station(client):
    worker = f.worker()
    resident = f.resident(by=worker, real_name="钱可见")
    client.force_login(worker)
    assert "钱可见" in client.get(reverse("accounts:resident", args=[resident.pk])).content.decode()


def _sign_in(client, user):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("account_login"), {"login": user.email, "password": f.PASSWORD}, follow=True
    )


@pytest.mark.parametrize("make", [f.fund_administrator, f.worker])
def test_signing_in_leads_straight_to_totp_enrolment(client, make):
    user = make(with_totp=False)
    response = _sign_in(client, user)
    chain = [url for url, _status in response.redirect_chain]
    assert chain[-1] == reverse("mfa_activate_totp"), chain
    assert reverse("account_reauthenticate") not in chain
    assert response.status_code == 200
    assert 'name="code"' in response.content.decode()
    assert 'name="password"' not in response.content.decode()

    secret = client.session[SECRET_SESSION_KEY]
    code = format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD))
    response = client.post(reverse("mfa_activate_totp"), {"code": code}, follow=True)
    chain = [url for url, _status in response.redirect_chain]
    assert reverse("account_reauthenticate") not in chain, chain
    assert chain[-1] == reverse("mfa_view_recovery_codes")
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert client.get(reverse("accounts:dashboard")).status_code == 200


def test_a_sign_in_longer_ago_than_the_timeout_asks_for_the_password_again(client, settings):
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 0
    response = _sign_in(client, f.fund_administrator(with_totp=False))
    chain = [url for url, _status in response.redirect_chain]
    assert chain[-1].startswith(reverse("account_reauthenticate")), chain


def test_a_worker_with_totp_signs_in_with_a_code(client):
    worker = f.worker()
    response = _sign_in(client, worker)
    assert response.redirect_chain[-1][0] == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": f.totp_code(worker)}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:dashboard")
    assert response.status_code == 200

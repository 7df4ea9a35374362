"""Admin logins go through allauth; fund administrators and the Django admin need TOTP."""

import pytest
from django.urls import reverse

from accounts import roles, services
from tests.accounts import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/cms/login/", "/django-admin/login/"])
def test_admin_login_forms_do_not_accept_a_password(client, url):
    admin = f.UserFactory(is_staff=True, is_superuser=True)
    response = client.post(url, {"username": admin.email, "password": f.PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session


def test_wagtail_admin_sends_anonymous_people_to_allauth(client):
    response = client.get("/cms/", follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))
    assert response.status_code == 200


def test_signed_in_people_without_staff_access_get_a_clear_refusal_not_a_loop(client):
    client.force_login(f.UserFactory())
    response = client.get("/cms/", follow=True)
    assert response.status_code == 403
    assert len(response.redirect_chain) <= 2
    response = client.get("/django-admin/", follow=True)
    assert response.status_code == 403
    assert reverse("mfa_activate_totp") not in [url for url, _ in response.redirect_chain]


def test_fund_administrator_without_totp_must_set_it_up(client):
    admin = f.fund_administrator(with_totp=False)
    client.force_login(admin)
    response = client.get(reverse("accounts:dashboard"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    client.force_login(f.fund_administrator(with_totp=True))
    assert client.get(reverse("accounts:dashboard")).status_code == 200


def test_django_admin_requires_totp_even_for_superusers(client):
    superuser = f.UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    response = client.get("/django-admin/")
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(superuser, generate_totp_secret())
    assert client.get("/django-admin/").status_code == 200


def test_other_staff_may_go_without_totp(client):
    editor = services.staff_role_grant(user=f.UserFactory(), role=roles.EDITOR)
    client.force_login(editor)
    assert client.get("/cms/").status_code == 200


def test_login_is_rate_limited(client, settings):
    from django.core.cache import cache

    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/m/ip,3/5m/key"}
    cache.clear()
    user = f.UserFactory()
    for _ in range(3):
        client.post(reverse("account_login"), {"login": user.email, "password": "wrong"})
    response = client.post(reverse("account_login"), {"login": user.email, "password": f.PASSWORD})
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 429)

"""Members-only (Charity Law): no appeals to the public; only approved members give."""

import pytest
from django.urls import reverse

from accounts.models import User
from portal import content
from tests.accounts import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def members_only(settings):  # type: ignore[no-untyped-def]
    settings.WISHPOOL_MEMBERS_ONLY = True
    settings.STRIPE_SECRET_KEY = "sk_test_configured"


def test_anonymous_visitors_see_results_but_no_payment_buttons_or_appeals(client, members_only):
    content.demo_pages_ensure()
    home = client.get("/").content.decode()
    assert reverse("donations:pledge_start") not in home
    assert client.get(reverse("portal:transparency")).status_code == 200
    page = client.get(reverse("donations:pledge_start")).content.decode()
    assert "<form" not in page.split('id="main"')[1]
    assert reverse("account_signup") not in page.split('id="main"')[1]


def test_unapproved_company_cannot_pledge_until_approved(client, members_only):
    org = f.organisation()
    rep = org.memberships.get().user
    client.force_login(rep)
    assert 'name="kind"' not in client.get(reverse("donations:pledge_start")).content.decode()
    admin = f.fund_administrator()
    client.force_login(admin)
    response = client.post(reverse("wishpool_approvals"), {"organisation": org.pk})
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.approved_at is not None
    client.force_login(rep)
    assert 'name="kind"' in client.get(reverse("donations:pledge_start")).content.decode()


def test_person_donor_needs_approval_too(client, members_only):
    person = f.UserFactory(kind=User.Kind.DONOR)
    client.force_login(person)
    assert 'name="kind"' not in client.get(reverse("donations:pledge_start")).content.decode()
    client.force_login(f.fund_administrator())
    client.post(reverse("wishpool_approvals"), {"user": person.pk})
    client.force_login(person)
    assert 'name="kind"' in client.get(reverse("donations:pledge_start")).content.decode()


def test_only_fund_administrators_approve(client, members_only):
    org = f.organisation()
    client.force_login(f.worker())
    response = client.post(reverse("wishpool_approvals"), {"organisation": org.pk})
    assert response.status_code in (302, 403) and response.get("Location") != reverse(
        "wishpool_approvals"
    )
    org.refresh_from_db()
    assert org.approved_at is None


def test_members_only_is_on_in_production_settings():
    import subprocess
    import sys

    from django.conf import settings

    code = "from django.conf import settings; print(settings.WISHPOOL_MEMBERS_ONLY)"
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "example.org",
        "DATABASE_URL": "sqlite:////tmp/x.sqlite3",
        "CELERY_BROKER_URL": "amqp://guest:guest@127.0.0.1:5672//",
        "CACHE_URL": "redis://127.0.0.1:6379/1",
        "EMAIL_URL": "consolemail://",
        "PATH": "/usr/bin:/bin",
    }
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.strip() == "True"
    assert settings.WISHPOOL_MEMBERS_ONLY is False  # off in the demo and tests by default


def test_a_company_can_be_declined_with_a_reason_it_sees_then_approved_later(client):
    from accounts import services as account_services
    from tests.donations.test_staff_area import _admin

    admin = _admin()
    org = f.organisation(name="某某公司")
    client.force_login(admin)
    url = reverse("wishpool_approvals")
    client.post(url, {"organisation": org.pk, "decision": "decline", "reason": ""})
    org.refresh_from_db()
    assert org.declined_at is None  # a reason is needed
    client.post(url, {"organisation": org.pk, "decision": "decline", "reason": "营业执照已过期"})
    org.refresh_from_db()
    assert org.declined_at is not None and org.decline_reason == "营业执照已过期"
    waiting = client.get(url).content.decode()
    assert f'name="organisation" value="{org.pk}"' not in waiting  # off the waiting list
    client.force_login(org.memberships.get().user)
    page = client.get(reverse("accounts:organisation", args=[org.pk])).content.decode()
    assert "营业执照已过期" in page
    account_services.organisation_approve(organisation=org, by=admin)
    org.refresh_from_db()
    assert org.approved_at is not None and org.declined_at is None

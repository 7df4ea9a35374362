"""Sign-up in two steps, without JavaScript: first what the person signs up as, then only the
fields for that (the company's only for a company representative). The POST still takes every
field at once (tests/accounts/test_signup.py)."""

import re

import pytest
from django.urls import reverse

from accounts.models import Organisation, User

pytestmark = pytest.mark.django_db

COMPANY = ('name="legal_name"', 'name="display_name"', 'name="contact_phone"')
ACCOUNT = ('name="email"', 'name="password1"', 'name="password2"', 'name="full_name"')
BASE = {
    "email": "steps@example.org",
    "password1": "Lantern-harbour-4471",
    "password2": "Lantern-harbour-4471",
}


def _main(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode().split('id="main"', 1)[1]


def test_step_one_asks_only_what_the_person_signs_up_as(client):
    page = _main(client.get(reverse("account_signup")))
    assert '<form method="get"' in page
    for kind in ("donor", "company", "resident"):
        assert f'name="kind" value="{kind}"' in page
    for name in (*COMPANY, *ACCOUNT):
        assert name not in page


def test_step_one_keeps_where_to_go_afterwards_and_the_invited_address(client):
    page = _main(client.get(reverse("account_signup"), {"next": "/pledge/", "email": "a@b.cn"}))
    assert 'name="next" value="/pledge/"' in page
    assert 'name="email" value="a@b.cn"' in page


@pytest.mark.parametrize("kind", ["donor", "resident"])
def test_a_person_sees_no_company_fields(client, kind):
    page = _main(client.get(reverse("account_signup"), {"kind": kind}))
    assert f'<input type="hidden" name="kind" value="{kind}"' in page
    for name in ACCOUNT:
        assert name in page
    for name in COMPANY:
        assert name not in page


def test_a_company_representative_sees_the_company_fields(client):
    page = _main(client.get(reverse("account_signup"), {"kind": "company"}))
    assert '<input type="hidden" name="kind" value="company"' in page
    for name in (*COMPANY, *ACCOUNT):
        assert name in page


def test_an_individual_ignores_company_fields_posted_with_it(client):
    response = client.post(
        reverse("account_signup"),
        {**BASE, "full_name": "林小雨", "kind": "donor", "legal_name": "上海新桥有限公司"},
    )
    assert response.status_code == 302
    assert User.objects.get(email=BASE["email"]).kind == User.Kind.DONOR
    assert not Organisation.objects.exists()


def test_a_failed_sign_up_shows_a_summary_linked_to_each_field(client):
    response = client.post(reverse("account_signup"), {"kind": "company", "full_name": "周"})
    page = _main(response)
    assert response.status_code == 200 and not User.objects.exists()
    summary = re.search(
        r'<div class="error-summary" tabindex="-1" autofocus>.*?</div>\s*</div>', page, re.S
    )
    assert summary, page
    links = re.findall(r'<a href="#(\w+)">', summary.group(0))
    assert {"id_legal_name", "id_email", "id_password1"} <= set(links)
    for target in links:
        assert f'id="{target}"' in page
    # each control's aria-describedby names ids that exist on the page
    for described in re.findall(r'aria-describedby="([^"]+)"', page):
        for ref in described.split():
            assert f'id="{ref}"' in page, ref
    assert not re.search(r'<ul[^>]*role="(alert|status)"', page)
    assert "必需字段" not in page
    # the company's fields stay (the choice was a company), and the title says there is an error
    assert 'name="legal_name"' in page
    assert re.search(r"<title>[^<]*错误", response.content.decode())


def test_an_unknown_kind_is_refused_with_the_choice_shown_again(client):
    response = client.post(reverse("account_signup"), {**BASE, "full_name": "x", "kind": "staff"})
    page = _main(response)
    assert response.status_code == 200 and not User.objects.exists()
    assert 'href="#id_kind_0"' in page
    assert 'type="radio" name="kind" value="donor"' in page

"""The pledge form in two steps, without JavaScript: first money or goods, then only the
fields of that kind. The POST still takes every field at once (tests/donations/
test_stripe_flow.py posts a money pledge with all its fields and confirms it)."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from charity.selectors import fund_general
from donations.models import Pledge
from tests.accounts import factories as f

pytestmark = pytest.mark.django_db

MONEY = ('name="preset"', 'name="amount"', 'name="interval"')
GOODS = ('name="goods_description"', 'name="goods_quantity"', 'name="goods_unit_value"')


@pytest.fixture
def rep(client, settings):  # type: ignore[no-untyped-def]
    settings.STRIPE_SECRET_KEY = "sk_test_configured"  # money is possible: the choice is asked
    org = f.organisation()
    user = org.memberships.get().user
    client.force_login(user)
    user.org = org
    return user


def _main(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode().split('id="main"', 1)[1]


def test_step_one_asks_only_money_or_goods(client, rep):
    page = _main(client.get(reverse("donations:pledge_start")))
    assert re.search(r'<form method="get"', page)
    assert 'name="kind" value="money"' in page and 'name="kind" value="goods"' in page
    for name in (*MONEY, *GOODS, 'name="fund"', 'name="give_as"'):
        assert name not in page


def test_step_two_for_money_shows_no_goods_fields(client, rep):
    page = _main(client.get(reverse("donations:pledge_start"), {"kind": "money"}))
    assert '<input type="hidden" name="kind" value="money"' in page
    for name in MONEY:
        assert name in page
    for name in GOODS:
        assert name not in page


def test_step_two_for_goods_shows_no_money_fields(client, rep):
    page = _main(client.get(reverse("donations:pledge_start"), {"kind": "goods"}))
    assert '<input type="hidden" name="kind" value="goods"' in page
    for name in GOODS:
        assert name in page
    for name in MONEY:
        assert name not in page


def test_an_unknown_kind_asks_again(client, rep):
    page = _main(client.get(reverse("donations:pledge_start"), {"kind": "shares"}))
    assert 'name="kind" value="money"' in page and 'name="goods_quantity"' not in page


def test_without_online_payment_the_goods_form_comes_straight_away(client, rep, settings):
    settings.STRIPE_SECRET_KEY = ""
    page = _main(client.get(reverse("donations:pledge_start")))
    assert '<input type="hidden" name="kind" value="goods"' in page
    assert 'name="goods_quantity"' in page and 'name="preset"' not in page


def test_a_goods_pledge_ignores_money_fields_posted_with_it(client, rep):
    response = client.post(
        reverse("donations:pledge_start"),
        {
            "kind": "goods",
            "preset": "other",
            "amount": "not a number",
            "interval": "month",
            "fund": fund_general().pk,
            "give_as": f"org:{rep.org.pk}",
            "goods_description": "插线板",
            "goods_quantity": "10",
        },
    )
    assert response.status_code == 302
    pledge = Pledge.objects.get()
    assert pledge.kind == "goods" and pledge.interval == "once" and pledge.amount is None


def test_a_failed_goods_pledge_shows_the_summary_and_only_goods_fields(client, rep):
    response = client.post(
        reverse("donations:pledge_start"),
        {"kind": "goods", "fund": fund_general().pk, "give_as": f"org:{rep.org.pk}"},
    )
    page = _main(response)
    assert response.status_code == 200 and not Pledge.objects.exists()
    assert 'class="error-summary" tabindex="-1" autofocus' in page
    assert 'href="#id_goods_description"' in page and 'href="#id_goods_quantity"' in page
    assert 'id="id_goods_description_error"' in page
    assert 'name="preset"' not in page


def test_change_the_gift_returns_to_the_form_filled_in(client, rep):
    data = {
        "kind": "money",
        "preset": "other",
        "amount": "88",
        "interval": "month",
        "fund": fund_general().pk,
        "give_as": f"org:{rep.org.pk}",
        "show_name": "on",
    }
    check = client.post(reverse("donations:pledge_start"), data)
    assert check.templates[0].name == "donations/pledge_confirm.html"
    assert check.context["data"]["amount"] == Decimal("88")
    # what the change button posts: its own form's hidden fields (no "confirm") and "change"
    forms = re.findall(r"<form.*?</form>", check.content.decode(), re.S)
    change = next(form for form in forms if 'name="change"' in form)
    posted = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', change))
    assert "confirm" not in posted and posted["amount"] == "88"
    back = client.post(reverse("donations:pledge_start"), {**posted, "change": "1"})
    page = _main(back)
    assert back.templates[0].name == "donations/pledge.html"
    assert 'name="amount" value="88"' in page
    assert re.search(r'name="interval" value="month"[^>]*checked', page)
    assert re.search(r'type="checkbox" name="show_name"[^>]*checked', page)
    assert "error-summary" not in page
    assert not Pledge.objects.exists()

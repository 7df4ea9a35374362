"""The fund administrators' area in the Wagtail admin (/cms/fund/…) and the read-only Django
admin for donations and the ledger. Data is built through the services."""

from datetime import date
from decimal import Decimal

import pytest
import stripe
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from wagtail.users.models import UserProfile

from accounts import roles, services
from accounts.models import Warehouse
from charity.models import Fund, LedgerEntry, LedgerLeg, StockLot
from charity.selectors import fund_balances, fund_general
from donations import admin_views
from donations import wagtail_hooks as hooks
from donations.models import Donation, Donor, Pledge, Receipt, Refund
from tests.accounts import factories as f
from tests.donations.helpers import goods_pledge, offline_gift, paid_donation

pytestmark = pytest.mark.django_db

PAGES = ["fund:goods_intake", "fund:offline_income", "fund:refunds", "fund:books"]


def _admin():  # type: ignore[no-untyped-def]
    """A fund administrator (with TOTP, as the middleware demands) reading the admin in
    English, so the assertions below do not depend on the Chinese catalogue."""
    user = f.fund_administrator()
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


def _other_people():  # type: ignore[no-untyped-def]
    editor = services.staff_role_grant(user=f.UserFactory(), role=roles.EDITOR)
    return {"worker": f.worker(), "editor": editor, "plain": f.UserFactory()}


def _goods_pledge(quantity: int = 200) -> Pledge:
    return goods_pledge(quantity)


def _income_data(**overrides: str) -> dict[str, str]:
    org = f.organisation()
    data = {
        "organisation": str(org.pk),
        "fund": str(fund_general().pk),
        "amount": "800.00",
        "method": "bank_transfer",
        "reference": "BANK-2026-0001",
        "received_on": "2026-03-05",
        "show_name": "on",
    }
    data.update(overrides)
    return data


def _refused(response) -> bool:  # type: ignore[no-untyped-def]
    """403, or a redirect somewhere that is not the staff screen (Wagtail sends staff without
    the right to its home page with a message; people without admin access to the login)."""
    if response.status_code == 403:
        return True
    return response.status_code == 302 and not response["Location"].startswith("/cms/fund/")


def _counts() -> dict[str, int]:
    """Rows that a booking would add (compared before and after, so rows other tests left
    in a reused database do not matter)."""
    models = (Donation, Receipt, Donor, LedgerEntry, LedgerLeg, Refund, StockLot)
    return {m.__name__: m.objects.count() for m in models}


def _messages(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- who may enter ----------------------------------------------------------------------------


def test_only_fund_administrators_reach_the_staff_screens(client):
    pledge = _goods_pledge()
    donation = offline_gift()
    before = _counts()
    for who, user in _other_people().items():
        client.force_login(user)
        for name in PAGES:
            assert _refused(client.get(reverse(name))), (who, name)
        posts = [
            (reverse("fund:offline_income"), _income_data(reference=f"REF-{who}")),
            (
                reverse("fund:goods_intake_receive", args=[pledge.pk]),
                {
                    f"pledge-{pledge.pk}-quantity": "10",
                    f"pledge-{pledge.pk}-condition": "new",
                    f"pledge-{pledge.pk}-unit_value": "20",
                    f"pledge-{pledge.pk}-warehouse": str(Warehouse.objects.get(is_main=True).pk),
                },
            ),
            (
                reverse("fund:refund_create", args=[donation.pk]),
                {f"donation-{donation.pk}-amount": "1", f"donation-{donation.pk}-reason": "x"},
            ),
        ]
        for url, data in posts:
            assert _refused(client.post(url, data)), (who, url)
    after = _counts()
    assert after["Donation"] == before["Donation"] and after["Refund"] == before["Refund"]
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.AWAITING_GOODS


@pytest.mark.parametrize(
    "view",
    [
        admin_views.goods_intake,
        admin_views.offline_income,
        admin_views.refunds,
        admin_views.books,
    ],
)
def test_every_view_itself_refuses_others(view):
    for who, user in _other_people().items():
        request = RequestFactory().get("/cms/fund/")
        request.user = user
        with pytest.raises(PermissionDenied):
            view(request)
        assert who


def test_the_fund_menu_is_shown_to_fund_administrators_only(client):
    item = hooks.fund_menu_item()
    request = RequestFactory().get("/cms/")
    for who, user in _other_people().items():
        request.user = user
        assert not item.is_shown(request), who
        assert not any(i.is_shown(request) for i in item.menu.registered_menu_items), who
        if who != "plain":
            client.force_login(user)
            response = client.get("/cms/")
            assert response.status_code == 200, who
            page = response.content.decode()
            assert reverse("fund:books") not in page and reverse("fund:goods_intake") not in page
    request.user = admin_user = _admin()
    assert item.is_shown(request)
    client.force_login(admin_user)
    page = client.get("/cms/").content.decode()
    for name in PAGES:
        assert reverse(name) in page
    for name in PAGES:
        assert client.get(reverse(name)).status_code == 200, name


# --- goods intake -----------------------------------------------------------------------------


def test_goods_intake_through_the_view_books_the_gift(client):
    pledge = _goods_pledge()
    client.force_login(_admin())
    listing = client.get(reverse("fund:goods_intake"))
    html = listing.content.decode()
    assert "插线板" in html and f"pledge-{pledge.pk}-quantity" in html
    assert "Estimated at ¥30.00 each." in html
    warehouse = Warehouse.objects.get(is_main=True)
    prefix = f"pledge-{pledge.pk}"
    response = client.post(
        reverse("fund:goods_intake_receive", args=[pledge.pk]),
        {
            f"{prefix}-quantity": "180",
            f"{prefix}-condition": "new",
            f"{prefix}-unit_value": "25.50",
            f"{prefix}-warehouse": str(warehouse.pk),
            f"{prefix}-difference_confirmed": "on",  # 200 were pledged
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("fund:goods_intake")
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.RECEIVED
    donation = Donation.objects.get(pledge=pledge)
    assert donation.method == "goods" and donation.amount == Decimal("4590.00")
    assert donation.receipts.get().amount == Decimal("4590.00")
    lot = StockLot.objects.get(intake__pledge=pledge)
    assert lot.quantity_on_hand == 180 and lot.warehouse == warehouse
    page = client.get(response["Location"])
    assert any("Received 180" in m for m in _messages(page))
    assert f"{prefix}-quantity" not in page.content.decode()  # no longer waiting


def test_goods_intake_with_bad_values_shows_the_form_and_books_nothing(client):
    pledge = _goods_pledge()
    client.force_login(_admin())
    prefix = f"pledge-{pledge.pk}"
    before = _counts()
    response = client.post(
        reverse("fund:goods_intake_receive", args=[pledge.pk]),
        {
            f"{prefix}-quantity": "0",
            f"{prefix}-condition": "new",
            f"{prefix}-unit_value": "abc",
            f"{prefix}-warehouse": str(Warehouse.objects.get(is_main=True).pk),
        },
    )
    assert response.status_code == 200
    form = next(r["form"] for r in response.context["rows"] if r["pledge"].pk == pledge.pk)
    assert "quantity" in form.errors and "unit_value" in form.errors
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.AWAITING_GOODS
    assert _counts() == before


# --- offline income ---------------------------------------------------------------------------


def test_offline_income_through_the_view_is_booked_and_receipted_once(client):
    client.force_login(_admin())
    data = _income_data()
    response = client.post(reverse("fund:offline_income"), data)
    assert response.status_code == 302
    donation = Donation.objects.get(offline_reference="bank_transfer:BANK-2026-0001")
    assert donation.amount == Decimal("800.00") and donation.donor.organisation_id == int(
        data["organisation"]
    )
    assert donation.received_at.date() == date(2026, 3, 5)
    assert donation.receipts.get().amount == Decimal("800.00")

    # the same reference again, from another (new) donor: refused, and nothing at all changes
    before = _counts()
    again = client.post(reverse("fund:offline_income"), _income_data(reference=" BANK-2026-0001 "))
    assert again.status_code == 200
    assert "This reference has already been recorded." in again.context["form"].non_field_errors()
    assert "This reference has already been recorded." in again.content.decode()
    assert _counts() == before


def test_offline_income_from_a_person_by_email(client):
    person = f.UserFactory()
    client.force_login(_admin())
    response = client.post(
        reverse("fund:offline_income"),
        _income_data(organisation="", donor_email=person.email.upper(), method="cash"),
    )
    assert response.status_code == 302
    donation = Donation.objects.get(offline_reference="cash:BANK-2026-0001")
    assert donation.donor.user == person and donation.method == "cash"


@pytest.mark.parametrize("amount", ["-5", "abc", "0", ""])
def test_offline_income_with_a_bad_amount_shows_an_error_and_changes_nothing(client, amount):
    client.force_login(_admin())
    data = _income_data(amount=amount)
    before = _counts()
    response = client.post(reverse("fund:offline_income"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "amount" in errors
    with translation.override("en"):  # the page was rendered in the admin's language
        assert escape(errors["amount"][0]) in response.content.decode()  # shown by the field
    assert _counts() == before


def test_offline_income_needs_exactly_one_donor(client):
    client.force_login(_admin())
    data = _income_data(organisation="")
    before = _counts()
    response = client.post(reverse("fund:offline_income"), data)
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert _counts() == before


# --- books ------------------------------------------------------------------------------------


def test_books_show_fund_balances_from_the_ledger(client, settings):
    settings.STRIPE_SECRET_KEY = ""

    def general_balance() -> Decimal:
        return next(r["balance"] for r in fund_balances() if r["fund"].code == "general")

    before = general_balance()
    offline_gift(amount="1234.56")
    client.force_login(_admin())
    response = client.get(reverse("fund:books"))
    assert response.status_code == 200
    page = response.content.decode()
    general = next(r for r in response.context["funds"] if r["fund"].code == "general")
    assert general["balance"] == before + Decimal("1234.56") == general_balance()
    assert f"¥{general['balance']:,.2f}" in page  # the fund's figure, from the ledger
    assert "1234.56" in page or "1,234.56" in page  # the gift's legs, newest entry first
    latest = response.context["page"].object_list[0]
    assert latest == LedgerEntry.objects.order_by("-posted_at", "-pk").first()
    assert {leg.amount for leg in latest.legs.all()} == {Decimal("1234.56"), Decimal("-1234.56")}
    assert "Stripe reconciliation" not in page  # payments not configured
    assert client.get(reverse("fund:books"), {"page": "99"}).status_code == 200


def test_books_say_when_stripe_does_not_answer(client, settings, monkeypatch):
    settings.STRIPE_SECRET_KEY = "sk_test_unreachable"

    def down(**kwargs):  # type: ignore[no-untyped-def]
        raise stripe.APIConnectionError("no route to Stripe")

    monkeypatch.setattr(admin_views, "stripe_reconciliation", down)
    client.force_login(_admin())
    response = client.get(reverse("fund:books"))
    assert response.status_code == 200 and "Stripe did not answer" in response.content.decode()


# --- refunds ----------------------------------------------------------------------------------


@pytest.mark.cjk_pdf  # the receipt is rendered on the way
def test_partial_refund_through_the_view(client, stripe_world, django_capture_on_commit_callbacks):
    donation, _ = paid_donation(client, stripe_world, django_capture_on_commit_callbacks)
    original = donation.receipts.get()
    client.force_login(_admin())
    listing = client.get(reverse("fund:refunds"))
    assert f"donation-{donation.pk}-amount" in listing.content.decode()
    url = reverse("fund:refund_create", args=[donation.pk])
    prefix = f"donation-{donation.pk}"

    # more than was given: refused with a message, nothing sent to Stripe
    too_much = client.post(url, {f"{prefix}-amount": "1000.01", f"{prefix}-reason": "x"})
    assert too_much.status_code == 302
    assert any("at most" in m for m in _messages(client.get(too_much["Location"])))
    assert not Refund.objects.filter(donation=donation).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {f"{prefix}-amount": "300", f"{prefix}-reason": "捐错金额"})
    assert response.status_code == 302 and response["Location"] == reverse("fund:refunds")
    donation.refresh_from_db()
    assert donation.refunded_amount == Decimal("300.00")
    assert donation.status == Donation.Status.PARTIALLY_REFUNDED
    original.refresh_from_db()
    assert original.status == Receipt.Status.VOID
    replacement = Receipt.objects.get(replaces=original)
    assert replacement.amount == Decimal("700.00") and replacement.status == Receipt.Status.VALID
    page = client.get(response["Location"])
    assert any("Refunded 300" in m for m in _messages(page))
    assert "捐错金额" in page.content.decode()  # listed among past refunds
    assert Refund.objects.get(donation=donation).status == Refund.Status.SUCCEEDED

    # the books page asks Stripe for its balance transactions and compares
    books = client.get(reverse("fund:books"))
    assert books.status_code == 200 and books.context["reconciliation"] is not None


def test_stripe_refusing_a_refund_is_shown_as_a_message(client, settings, monkeypatch):
    settings.STRIPE_SECRET_KEY = "sk_test_unreachable"
    donation = offline_gift(amount="100")
    # a Stripe donation in all but the call: mark it with an intent id
    Donation.objects.filter(pk=donation.pk).update(stripe_payment_intent="pi_test_refused")

    def refuse(**kwargs):  # type: ignore[no-untyped-def]
        raise stripe.InvalidRequestError("No such payment_intent", param="payment_intent")

    monkeypatch.setattr("donations.services.refunds.gw.refund_create", refuse)
    client.force_login(_admin())
    prefix = f"donation-{donation.pk}"
    response = client.post(
        reverse("fund:refund_create", args=[donation.pk]),
        {f"{prefix}-amount": "10", f"{prefix}-reason": "test"},
    )
    assert response.status_code == 302
    assert any("No such payment_intent" in m for m in _messages(client.get(response["Location"])))
    donation.refresh_from_db()
    assert donation.refunded_amount == 0
    assert Refund.objects.get(donation=donation).status == Refund.Status.FAILED


# --- Django admin -----------------------------------------------------------------------------


def test_ledger_is_read_only_in_the_django_admin(client):
    superuser = f.UserFactory(is_staff=True, is_superuser=True)
    TOTP.activate(superuser, generate_totp_secret())
    request = RequestFactory().get("/django-admin/")
    request.user = superuser
    for model in (LedgerEntry, LedgerLeg, Donation, Receipt, Refund):
        if model in admin.site._registry:
            model_admin = admin.site._registry[model]
            assert not model_admin.has_change_permission(request), model
            assert not model_admin.has_add_permission(request), model
            assert not model_admin.has_delete_permission(request), model
    assert admin.site._registry[Fund].has_change_permission(request)

    entry = offline_gift(amount="50").entry
    client.force_login(superuser)
    assert client.get("/django-admin/charity/ledgerentry/add/").status_code == 403
    change_url = f"/django-admin/charity/ledgerentry/{entry.pk}/change/"
    assert client.get(change_url).status_code == 200  # a read-only view
    assert client.post(change_url, {"memo": "changed"}).status_code == 403
    entry.refresh_from_db()
    assert entry.memo != "changed"
    assert client.get("/django-admin/donations/donation/").status_code == 200


@pytest.mark.django_db
def test_fund_administrator_reads_but_cannot_change_the_ledger_in_django_admin(client):
    from tests.donations.helpers import offline_gift

    admin_user = f.fund_administrator()
    receipt = offline_gift(admin=admin_user).receipts.get()
    client.force_login(admin_user)
    assert client.get("/django-admin/donations/receipt/").status_code == 200
    page = client.get(f"/django-admin/donations/receipt/{receipt.pk}/change/")
    assert page.status_code == 200 and receipt.number in page.content.decode()
    client.post(
        f"/django-admin/donations/receipt/{receipt.pk}/change/", {"number": "WP-0000-000000"}
    )
    receipt.refresh_from_db()
    assert receipt.number != "WP-0000-000000"
    assert client.get("/django-admin/charity/ledgerentry/add/").status_code == 403


def test_a_fund_is_edited_in_the_django_admin_through_its_service_and_earmarked_ones_not(client):
    from tests.wishes import factories as wf

    admin_user = f.fund_administrator()
    client.force_login(admin_user)
    general = fund_general()
    data = {
        "name": "社区爱心资金池",
        "name_en": "Community pool",
        "description": "",
        "target_amount": "",
        "is_published": "on",
        "sort_order": "0",
    }
    response = client.post(f"/django-admin/charity/fund/{general.pk}/change/", data)
    assert response.status_code == 302
    general.refresh_from_db()
    assert general.name == "社区爱心资金池" and general.code == "general"
    wish_fund = wf.wish(kind="money").fund
    client.post(f"/django-admin/charity/fund/{wish_fund.pk}/change/", {**data, "name": "改"})
    wish_fund.refresh_from_db()
    assert wish_fund.name != "改"


# --- dates, voids, every gift refundable or voidable -----------------------------------------


@pytest.mark.parametrize("when", ["2030-01-01", "1900-01-01"])
def test_offline_income_dated_in_the_future_or_long_ago_is_refused(client, when):
    client.force_login(_admin())
    before = _counts()
    response = client.post(reverse("fund:offline_income"), _income_data(received_on=when))
    assert response.status_code == 200 and "received_on" in response.context["form"].errors
    assert _counts() == before


def test_the_service_refuses_a_future_date_whoever_calls():
    from datetime import datetime

    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from donations.services.offline import offline_income_record

    with pytest.raises(ValidationError):
        offline_income_record(
            fund=fund_general(),
            organisation=f.organisation(),
            amount=Decimal("10"),
            method="cash",
            reference="FUTURE-1",
            received_at=timezone.make_aware(datetime(2030, 1, 1, 12)),
            show_name=False,
            by=f.fund_administrator(),
        )


def test_an_offline_gift_recorded_in_error_is_voided_from_the_refunds_screen(client):
    gift = offline_gift(amount="800")
    receipt = gift.receipts.get()
    general_before = {r["fund"].code: r["balance"] for r in fund_balances()}["general"]
    client.force_login(_admin())
    page = client.get(reverse("fund:refunds"), {"q": receipt.number})
    assert page.status_code == 200 and f"donation-{gift.pk}" in page.content.decode()
    prefix = f"donation-{gift.pk}"
    no_reason = client.post(reverse("fund:donation_void", args=[gift.pk]), {f"{prefix}-reason": ""})
    assert no_reason.status_code == 302
    gift.refresh_from_db()
    assert gift.status == Donation.Status.RECEIVED
    client.post(reverse("fund:donation_void", args=[gift.pk]), {f"{prefix}-reason": "记错了金额"})
    gift.refresh_from_db()
    receipt.refresh_from_db()
    assert gift.status == Donation.Status.VOIDED
    assert receipt.status == Receipt.Status.VOID and "记错了金额" in receipt.void_reason
    reversal = LedgerEntry.objects.get(reverses=gift.entry)
    assert sum(reversal.legs.values_list("amount", flat=True)) == 0
    general_after = {r["fund"].code: r["balance"] for r in fund_balances()}["general"]
    assert general_before - general_after == Decimal("800.00")  # no longer counted
    # voiding twice changes nothing
    client.post(reverse("fund:donation_void", args=[gift.pk]), {f"{prefix}-reason": "again"})
    assert LedgerEntry.objects.filter(reverses=gift.entry).count() == 1


def test_goods_voided_take_their_stock_back_to_zero(client):
    pledge = _goods_pledge(quantity=20)
    admin = _admin()
    from donations.services.offline import goods_intake_record

    intake = goods_intake_record(
        pledge=pledge,
        quantity=20,
        condition="new",
        unit_value=Decimal("30"),
        warehouse=Warehouse.objects.get(is_main=True),
        by=admin,
    )
    client.force_login(admin)
    prefix = f"donation-{intake.donation_id}"
    client.post(
        reverse("fund:donation_void", args=[intake.donation_id]), {f"{prefix}-reason": "重复登记"}
    )
    intake.refresh_from_db()
    assert intake.donation.status == Donation.Status.VOIDED
    assert intake.stock_lot.quantity_on_hand == 0


def test_the_refunds_screen_finds_every_gift_and_pages(client):
    gifts = [offline_gift(amount=str(10 + i)) for i in range(55)]
    client.force_login(_admin())
    first = client.get(reverse("fund:refunds"))
    assert first.context["page"].paginator.count >= 55 and len(first.context["rows"]) == 50
    second = client.get(reverse("fund:refunds"), {"page": "2"})
    shown = {row["donation"].pk for row in first.context["rows"]} | {
        row["donation"].pk for row in second.context["rows"]
    }
    assert {g.pk for g in gifts} <= shown
    found = client.get(reverse("fund:refunds"), {"q": f"#{gifts[3].pk}"})
    assert [row["donation"].pk for row in found.context["rows"]] == [gifts[3].pk]
    assert client.get(reverse("fund:refunds"), {"page": "abc"}).status_code == 200

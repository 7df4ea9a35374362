"""Records people read: goods that differ from their pledge or are declined, stock on hand,
cancelling with a confirmation, refund e-mails, My giving, the books and their memos."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from wagtail.users.models import UserProfile

from accounts.models import Membership, Warehouse
from charity.models import LedgerEntry
from charity.selectors import fund_general
from core.models import Transition
from donations.models import CheckoutSession, GoodsIntake, Pledge
from donations.services import offline, pledges
from tests.accounts import factories as f
from tests.donations.helpers import goods_pledge, paid_donation

pytestmark = pytest.mark.django_db


def _admin():  # type: ignore[no-untyped-def]
    user = f.fund_administrator()
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


def _goods(quantity: int = 20) -> Pledge:
    return goods_pledge(quantity)


def _intake_post(client, pledge, quantity, **extra):  # type: ignore[no-untyped-def]
    prefix = f"pledge-{pledge.pk}"
    data = {
        f"{prefix}-quantity": str(quantity),
        f"{prefix}-condition": "new",
        f"{prefix}-unit_value": "30",
        f"{prefix}-warehouse": str(Warehouse.objects.get(is_main=True).pk),
        **{f"{prefix}-{k}": v for k, v in extra.items()},
    }
    return client.post(reverse("fund:goods_intake_receive", args=[pledge.pk]), data)


@pytest.mark.cjk_pdf
def test_more_goods_than_pledged_need_a_confirmation_and_the_difference_is_recorded(client):
    pledge = _goods(20)
    client.force_login(_admin())
    asked = _intake_post(client, pledge, 25)
    assert asked.status_code == 200 and not GoodsIntake.objects.exists()
    assert "The pledge was for 20" in asked.content.decode()
    done = _intake_post(client, pledge, 25, difference_confirmed="on")
    assert done.status_code == 302
    intake = GoodsIntake.objects.get()
    assert intake.quantity == 25 and "20" in intake.note and "25" in intake.note
    assert intake.stock_lot.quantity_on_hand == 25
    assert Transition.objects.filter(
        object_type="donations.pledge", object_id=str(pledge.pk), reason=intake.note
    ).exists()


def test_the_service_also_refuses_an_unconfirmed_difference():
    with pytest.raises(ValidationError):
        offline.goods_intake_record(
            pledge=_goods(20),
            quantity=25,
            condition="new",
            unit_value=Decimal("30"),
            warehouse=Warehouse.objects.get(is_main=True),
            by=f.fund_administrator(),
        )
    assert not GoodsIntake.objects.exists()


def test_a_goods_pledge_is_declined_with_thanks_and_the_donor_told(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    pledge = _goods(10)
    client.force_login(_admin())
    url = reverse("fund:goods_pledge_decline", args=[pledge.pk])
    client.post(url, {f"decline-{pledge.pk}-reason": ""})
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.AWAITING_GOODS
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {f"decline-{pledge.pk}-reason": "仓库已满"})
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.DECLINED
    assert [m.to for m in mailoutbox] == [[pledge.created_by.email]]
    assert "仓库已满" in mailoutbox[0].body
    page = client.get(reverse("fund:goods_intake")).content.decode()
    assert f"pledge-{pledge.pk}" not in page


@pytest.mark.cjk_pdf
def test_the_stock_screen_shows_goods_on_hand_per_warehouse(client):
    admin = _admin()
    offline.goods_intake_record(
        pledge=_goods(200),
        quantity=200,
        condition="new",
        unit_value=Decimal("30"),
        warehouse=Warehouse.objects.get(is_main=True),
        by=admin,
    )
    client.force_login(admin)
    page = client.get(reverse("fund:stock")).content.decode()
    assert "插线板" in page and "¥6,000.00" in page
    client.force_login(f.worker())
    assert client.get(reverse("fund:stock")).status_code in (302, 403)


def test_cancelling_a_monthly_gift_asks_first_and_only_company_admins_may(client, settings):
    settings.STRIPE_SECRET_KEY = ""  # a goods pledge: nothing to stop at Stripe
    pledge = _goods(5)
    org = pledge.donor.organisation
    colleague = f.UserFactory()
    Membership.objects.create(organisation=org, user=colleague)
    url = reverse("donations:pledge_cancel", args=[pledge.pk])
    client.force_login(colleague)
    page = client.get(url)
    assert page.status_code == 200 and "Yes, cancel" not in page.content.decode()
    client.post(url)
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.AWAITING_GOODS
    with pytest.raises(PermissionDenied):
        pledges.pledge_cancel(pledge=pledge, by=colleague)
    client.force_login(pledge.created_by)
    with __import__("django").utils.translation.override("en"):
        confirm = client.get("/en" + url)
    assert confirm.status_code == 200 and "Yes, cancel this pledge" in confirm.content.decode()
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.AWAITING_GOODS  # looking changes nothing
    client.post(url)
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.CANCELLED


@pytest.mark.cjk_pdf
def test_a_refund_is_told_to_the_donor_and_a_replacement_receipt_says_what_it_replaces(
    client, stripe_world, mailoutbox, django_capture_on_commit_callbacks
):
    from donations.services.refunds import refund_request

    donation, _intent = paid_donation(client, stripe_world, django_capture_on_commit_callbacks)
    first_receipt = donation.receipts.get()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        refund_request(donation=donation, amount=Decimal("100"), reason="捐多了", by=None)
    bodies = [m.body for m in mailoutbox]
    assert any("捐多了" in body for body in bodies)  # the refund notice
    replacement = [m for m in mailoutbox if m.attachments]
    assert len(replacement) == 1 and first_receipt.number in replacement[0].body
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        refund_request(donation=donation, amount=Decimal("900"), reason="全部退回", by=None)
    assert any("全部退回" in m.body for m in mailoutbox)
    assert not [m for m in mailoutbox if m.attachments]  # nothing kept: no new receipt


@pytest.mark.cjk_pdf
def test_ledger_memos_are_in_the_funds_language_whoever_posts(
    client, stripe_world, django_capture_on_commit_callbacks
):
    from django.utils import translation

    from donations.services.refunds import refund_request

    donation, _intent = paid_donation(client, stripe_world, django_capture_on_commit_callbacks)
    with translation.override("en"):
        refund = refund_request(donation=donation, amount=Decimal("10"), reason="x", by=None)
    memo = LedgerEntry.objects.get(refund=refund).memo
    assert "refund of donation" not in memo.lower() and "退款" in memo


def test_unpaid_pledges_expire_with_their_checkouts(stripe_world):
    org = f.organisation()
    pledge = pledges.pledge_create(
        user=org.memberships.get().user,
        organisation=org,
        kind="money",
        fund=fund_general(),
        show_name=False,
        amount=Decimal("100"),
    )
    checkout = pledges.checkout_start(
        pledge=pledge, success_url="http://t/s", cancel_url="http://t/c"
    )
    assert pledges.pledges_expire_stale() == 0  # its checkout is still open
    long_ago = timezone.now() - timedelta(hours=2)
    Pledge.objects.filter(pk=pledge.pk).update(created_at=long_ago)
    CheckoutSession.objects.filter(pk=checkout.pk).update(expires_at=long_ago)
    assert pledges.pledges_expire_stale() == 1
    assert pledges.pledges_expire_stale() == 0
    pledge.refresh_from_db()
    checkout.refresh_from_db()
    assert pledge.status == Pledge.Status.EXPIRED
    assert checkout.status == CheckoutSession.Status.EXPIRED


@pytest.mark.cjk_pdf
def test_my_giving_names_the_wish_and_marks_goods(
    client, stripe_world, django_capture_on_commit_callbacks
):
    from tests.wishes import factories as wf

    wish = wf.wish(kind="money", target_amount=Decimal("100"), title="一台取暖器")
    user, org = wf.member()
    client.force_login(user)
    data = {"give_as": f"org:{org.pk}", "show_name": "on", "amount": "30"}
    quote = client.post(reverse("wishes:give", args=[wish.pk]), data)
    client.post(reverse("wishes:give", args=[wish.pk]), {**data, "confirm": quote.context["quote"]})
    from tests.donations import stripe_harness as h

    session, _ = stripe_world.complete_checkout(next(iter(stripe_world.boundary.sessions)))
    with django_capture_on_commit_callbacks(execute=True):
        h.deliver(client, h.event("checkout.session.completed", session))
    offline.goods_intake_record(
        pledge=pledges.pledge_create(
            user=user,
            organisation=org,
            kind="goods",
            fund=fund_general(),
            show_name=False,
            goods_description="助行器",
            goods_quantity=2,
            goods_unit_value=Decimal("150"),
        ),
        quantity=2,
        condition="new",
        unit_value=Decimal("150"),
        warehouse=Warehouse.objects.get(is_main=True),
        by=f.fund_administrator(),
    )
    import re

    html = client.get("/en" + reverse("donations:giving")).content.decode()
    page = re.sub(r"<[^>]+>", "", html)  # Chinese runs carry lang="zh-Hans" spans
    assert "Micro-wish: 一台取暖器" in page and f"#{wish.pk}" not in page.split("Pledges")[0]
    assert "Goods: 2 × 助行器" in page


def test_the_books_name_accounts_in_words(client):
    from tests.donations.helpers import offline_gift

    offline_gift(amount="100")
    client.force_login(_admin())
    page = client.get(reverse("fund:books")).content.decode()
    assert "fund:general:CNY" not in page
    assert "Fund pool · " in page

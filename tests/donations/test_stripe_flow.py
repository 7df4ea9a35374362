"""Pledging online, end to end: our views, the real Stripe SDK, localstripe, signed webhooks."""

import time
from decimal import Decimal

import pytest
from django.urls import reverse

from charity.selectors import fund_general
from donations import stripe_gateway
from donations.models import CheckoutSession, Donation, Pledge, Receipt, StripeEvent
from tests.accounts import factories as f
from tests.donations import stripe_harness as h

pytestmark = pytest.mark.django_db


def _pledge_online(
    client, rep, org, *, preset="500", interval="once", show_name=True, confirm=True
):  # type: ignore[no-untyped-def]
    client.force_login(rep)
    data = {
        "kind": "money",
        "preset": preset,
        "interval": interval,
        "fund": 1,
        "give_as": f"org:{org.pk}",
    }

    data["fund"] = fund_general().pk
    if show_name:
        data["show_name"] = "on"
    # the amount is shown once more before anything is paid; confirming it goes to Stripe
    check = client.post(reverse("donations:pledge_start"), data)
    if not confirm:
        return check
    assert check.status_code == 200 and check.context["data"]["amount"] == Decimal(preset)
    return client.post(reverse("donations:pledge_start"), {**data, "confirm": preset})


def test_one_time_pledge_goes_to_checkout_with_every_method(client, stripe_world):
    org = f.organisation()
    rep = org.memberships.get().user
    response = _pledge_online(client, rep, org)
    assert response.status_code == 302
    sent = stripe_world.boundary.sent[-1]
    session = next(iter(stripe_world.boundary.sessions.values()))
    assert response["Location"] == session["url"]
    params = sent["params"]
    pledge = Pledge.objects.get()
    checkout = CheckoutSession.objects.get(pledge=pledge)
    assert sent["idempotency_key"] == f"checkout-{checkout.idempotency_key}"
    assert params["mode"] == "payment"
    assert params["payment_method_types"] == ["card", "alipay", "wechat_pay"]
    assert params["payment_method_options"]["wechat_pay"]["client"] == "web"
    assert params["line_items"][0]["price_data"]["unit_amount"] == "50000"
    assert params["line_items"][0]["price_data"]["currency"] == "cny"
    assert params["metadata"]["pledge_id"] == str(pledge.pk)
    assert params["payment_intent_data"]["metadata"]["pledge_id"] == str(pledge.pk)
    # 30 minutes, plus a little room: Stripe refuses less than 30 minutes from its own clock
    assert 30 * 60 <= int(params["expires_at"]) - time.time() <= 32 * 60
    assert checkout.stripe_session_id == session["id"] and checkout.status == "open"
    assert pledge.status == Pledge.Status.PENDING
    page = client.get(
        reverse("donations:pledge", args=[pledge.pk]) + "?result=success"
    ).content.decode()
    assert pledge.get_status_display() in page


def test_recurring_pledge_is_card_only_subscription(client, stripe_world):
    org = f.organisation()
    _pledge_online(client, org.memberships.get().user, org, interval="month")
    params = stripe_world.boundary.sent[-1]["params"]
    assert params["mode"] == "subscription"
    assert params["payment_method_types"] == ["card"]
    assert params["line_items"][0]["price_data"]["recurring"]["interval"] == "month"
    assert "payment_method_options" not in params


def test_retrying_checkout_reuses_the_saved_idempotency_key(client, stripe_world):
    from donations.services import pledges

    org = f.organisation()
    _pledge_online(client, org.memberships.get().user, org)
    pledge = Pledge.objects.get()
    # the session is open: a second press returns the same one, Stripe is not asked again
    again = pledges.checkout_start(pledge=pledge, success_url="http://x/s", cancel_url="http://x/c")
    assert again.stripe_session_id == next(iter(stripe_world.boundary.sessions))
    assert len(stripe_world.boundary.sent) == 1


@pytest.mark.cjk_pdf  # the receipt is rendered on the way
def test_paid_checkout_becomes_a_donation_receipt_and_email(
    client, stripe_world, mailoutbox, django_capture_on_commit_callbacks
):
    org = f.organisation(name="上海梅园科技有限公司")
    rep = org.memberships.get().user
    _pledge_online(client, rep, org, preset="1000")
    session_id = next(iter(stripe_world.boundary.sessions))
    session, intent = stripe_world.complete_checkout(session_id)
    with django_capture_on_commit_callbacks(execute=True):
        response = h.deliver(client, h.event("checkout.session.completed", session))
    assert response.status_code == 200
    donation = Donation.objects.get()
    assert donation.amount == Decimal("1000.00") and donation.stripe_payment_intent == intent["id"]
    assert donation.method == "card" and donation.donor.organisation == org
    pledge = Pledge.objects.get()
    assert pledge.status == Pledge.Status.PAID
    receipt = Receipt.objects.get(donation=donation)
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [rep.email]
    assert mailoutbox[0].attachments[0][0] == f"{receipt.number}.pdf"
    # every member of the company sees it under My giving, with the receipt download
    colleague = f.UserFactory()
    from accounts.models import Membership

    Membership.objects.create(organisation=org, user=colleague)
    client.force_login(colleague)
    page = client.get(reverse("donations:giving")).content.decode()
    assert receipt.number in page and "¥1,000.00" in page
    pdf = client.get(reverse("donations:receipt_pdf", args=[receipt.number]))
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    # the same event again, and the PaymentIntent's own event: still one donation
    with django_capture_on_commit_callbacks(execute=True):
        assert h.deliver(
            client,
            h.event(
                "checkout.session.completed", session, event_id=StripeEvent.objects.get().stripe_id
            ),
        ).json()["duplicate"]
        h.deliver(client, h.event("payment_intent.succeeded", intent))
    assert Donation.objects.count() == 1 and Receipt.objects.count() == 1


def test_bad_signature_is_refused_and_changes_nothing(client, stripe_world):
    evt = h.event("payment_intent.succeeded", {"id": "pi_x", "metadata": {}})
    assert h.deliver(client, evt, secret="whsec_wrong").status_code == 400
    body = b'{"id": "evt_1"}'
    assert (
        client.post("/stripe/webhook/", data=body, content_type="application/json").status_code
        == 400
    )
    assert (
        client.post(
            "/stripe/webhook/",
            data=b"not json",
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=h.sign(b"not json"),
        ).status_code
        == 400
    )
    assert StripeEvent.objects.count() == 0


def test_declined_card_makes_no_donation(client, stripe_world, django_capture_on_commit_callbacks):
    org = f.organisation()
    _pledge_online(client, org.memberships.get().user, org)
    session = next(iter(stripe_world.boundary.sessions.values()))
    with pytest.raises(Exception):  # noqa: B017 - the SDK raises CardError
        stripe_world.pay(
            amount_minor=session["amount_total"],
            metadata=session["metadata"],
            card="pm_card_chargeDeclined",
        )
    with django_capture_on_commit_callbacks(execute=True):
        h.deliver(client, h.event("checkout.session.expired", {**session, "status": "expired"}))
    assert Donation.objects.count() == 0
    pledge = Pledge.objects.get()
    assert pledge.status == Pledge.Status.EXPIRED
    assert CheckoutSession.objects.get().status == "expired"


def test_without_stripe_keys_the_pledge_page_says_so(client, settings):
    settings.STRIPE_SECRET_KEY = ""
    org = f.organisation()
    response = _pledge_online(client, org.memberships.get().user, org, confirm=False)
    assert response.status_code == 200
    assert not stripe_gateway.is_configured()
    assert Pledge.objects.count() == 0
    assert "not configured" in response.content.decode() or "未配置" in response.content.decode()


def test_failed_processing_is_recorded_then_reprocessed_by_command(
    client, stripe_world, settings, django_capture_on_commit_callbacks
):
    from io import StringIO

    from django.core.management import CommandError, call_command

    org = f.organisation()
    _pledge_online(client, org.memberships.get().user, org)
    session, intent = stripe_world.complete_checkout(next(iter(stripe_world.boundary.sessions)))
    good_base = settings.STRIPE_API_BASE
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # Stripe unreachable while processing
    with django_capture_on_commit_callbacks() as callbacks:
        assert h.deliver(client, h.event("payment_intent.succeeded", intent)).status_code == 200
    # the dispatcher's try fails; the event goes to its own task, which raises so Celery
    # retries it (run at once here, eagerly)
    with pytest.raises(Exception):  # noqa: B017
        callbacks[0]()
    event = StripeEvent.objects.get()
    assert event.status == "failed" and event.attempts == 2 and "Connection" in event.last_error
    assert Donation.objects.count() == 0
    settings.STRIPE_API_BASE = good_base
    out = StringIO()
    call_command("stripe_reprocess_failed", stdout=out)
    event.refresh_from_db()
    assert event.status == "processed" and Donation.objects.count() == 1
    with pytest.raises(CommandError):
        call_command("stripe_reprocess_failed", "--event", "evt_unknown", stdout=StringIO())


@pytest.mark.cjk_pdf  # the receipt is rendered on the way
def test_an_event_stored_but_never_queued_is_queued_when_stripe_retries(
    client, stripe_world, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    org = f.organisation()
    _pledge_online(client, org.memberships.get().user, org)
    session, _ = stripe_world.complete_checkout(next(iter(stripe_world.boundary.sessions)))
    evt = h.event("checkout.session.completed", session)
    with django_capture_on_commit_callbacks(execute=False):  # the broker was down: nothing queued
        h.deliver(client, evt)
    StripeEvent.objects.update(received_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):  # Stripe retries an hour later
        assert h.deliver(client, evt).json()["duplicate"]
    assert StripeEvent.objects.get().status == "processed"
    assert Donation.objects.count() == 1


@pytest.mark.cjk_pdf  # the receipt is rendered on the way
def test_a_pending_one_time_pledge_cannot_be_cancelled_and_a_late_payment_is_booked(
    client, stripe_world, django_capture_on_commit_callbacks
):
    org = f.organisation()
    rep = org.memberships.get().user
    _pledge_online(client, rep, org)
    pledge = Pledge.objects.get()
    client.force_login(rep)
    client.post(reverse("donations:pledge_cancel", args=[pledge.pk]))
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.PENDING
    session, _ = stripe_world.complete_checkout(next(iter(stripe_world.boundary.sessions)))
    with django_capture_on_commit_callbacks(execute=True):
        h.deliver(client, h.event("checkout.session.completed", session))
    assert Donation.objects.filter(pledge=pledge).count() == 1


def test_a_typed_amount_is_what_is_charged_and_is_shown_before_paying(client, stripe_world):
    """Typing 50 in 其他金额 without ticking its button gives 50, not the preset 500."""
    org = f.organisation()
    rep = org.memberships.get().user
    client.force_login(rep)
    data = {
        "kind": "money",
        "preset": "500",
        "amount": "50",
        "interval": "once",
        "fund": fund_general().pk,
        "give_as": f"org:{org.pk}",
    }
    check = client.post(reverse("donations:pledge_start"), data)
    assert check.status_code == 200 and not Pledge.objects.exists()
    assert check.context["data"]["amount"] == Decimal("50")
    assert "¥50.00" in check.content.decode() and "¥500" not in check.content.decode()
    # a confirmation for another amount than the form now says is not taken as consent
    stale = client.post(reverse("donations:pledge_start"), {**data, "confirm": "500"})
    assert stale.status_code == 200 and not Pledge.objects.exists()
    paid = client.post(reverse("donations:pledge_start"), {**data, "confirm": "50"})
    assert paid.status_code == 302
    assert Pledge.objects.get().amount == Decimal("50.00")
    price = stripe_world.boundary.sent[-1]["params"]["line_items"][0]["price_data"]
    assert price["unit_amount"] == "5000"


@pytest.mark.parametrize(
    "field,value",
    [("goods_unit_value", "99999999999999999999"), ("goods_quantity", "100001")],
)
def test_goods_values_beyond_sane_ranges_are_refused(client, field, value):
    org = f.organisation()
    client.force_login(org.memberships.get().user)
    data = {
        "kind": "goods",
        "interval": "once",
        "fund": fund_general().pk,
        "give_as": f"org:{org.pk}",
        "goods_description": "插线板",
        "goods_quantity": "10",
        "goods_unit_value": "30",
        field: value,
    }
    page = client.post(reverse("donations:pledge_start"), data)
    assert page.status_code == 200 and field in page.context["form"].errors
    assert not Pledge.objects.exists()
    assert client.get(reverse("donations:giving")).status_code == 200


def test_the_database_refuses_an_absurd_goods_value():
    from django.db import IntegrityError, transaction

    org = f.organisation()
    with pytest.raises(IntegrityError), transaction.atomic():
        Pledge.objects.create(
            donor=__import__("donations.services.donors", fromlist=["x"]).donor_for_organisation(
                organisation=org
            ),
            created_by=org.memberships.get().user,
            kind="goods",
            fund=fund_general(),
            status="awaiting_goods",
            goods_description="x",
            goods_quantity=1,
            goods_unit_value=Decimal("2000000"),  # above the sane ceiling, within the column
        )

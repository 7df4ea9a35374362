"""Pledges and their moves: pending → paid | failed | expired; recurring: pending → active →
cancelled; goods: awaiting goods → received. Each move locks the row, refuses an illegal
move and does nothing on a repeat."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, User
from charity.models import Fund
from charity.purposes import Purpose, purpose_for
from core.money import quantize, to_minor
from core.transitions import IllegalMove, transition, transition_record
from donations import limits, selectors, stripe_gateway
from donations.models import CheckoutSession, Pledge
from donations.services.donors import donor_for_organisation, donor_for_user

CHECKOUT_LIFETIME = timedelta(minutes=30)
# Stripe wants expires_at at least 30 minutes after it creates the session: leave room for
# the clocks and the request. A key whose session would now expire too soon is not reused.
CHECKOUT_MARGIN = timedelta(seconds=90)

ONE_TIME_METHODS = ["card", "alipay", "wechat_pay"]


def pledge_create(
    *,
    user: User,
    organisation: Organisation | None,
    kind: str,
    fund: Fund,
    show_name: bool,
    amount: Decimal | None = None,
    interval: str = Pledge.Interval.ONCE,
    goods_description: str = "",
    goods_quantity: int | None = None,
    goods_unit_value: Decimal | None = None,
    purpose: Purpose | None = None,
) -> Pledge:
    """A promise to give into a published fund, or into the earmarked fund of one purpose
    (a wish's chip-in: the domain holds its share before calling this).

    A purpose that is not a gift (a borrower paying a loan's fee and deposit) pays into the
    published fund its domain names; the domain has checked who may pay before calling.
    """
    gift = purpose is None or purpose_for(purpose.key).is_gift
    if gift and not selectors.can_pledge(user=user, organisation=organisation):
        raise PermissionDenied(_("Only approved members can pledge."))
    if purpose is None and not fund.is_published:
        raise ValidationError(_("This purpose is not open for pledges."))
    if (
        gift
        and purpose is not None
        and (fund.purpose_key, fund.purpose_id) != (purpose.key, purpose.id)
    ):
        raise ValidationError(_("This purpose is not open for pledges."))
    if kind == Pledge.Kind.MONEY:
        if amount is None or not (
            limits.MIN_AMOUNT <= quantize(amount) <= limits.MAX_ONLINE_AMOUNT
        ):
            raise ValidationError(_("Choose an amount between ¥1 and ¥1,000,000."))
        if interval not in Pledge.Interval.values:
            raise ValidationError(_("Choose how often to give."))
        status = Pledge.Status.PENDING
    elif kind == Pledge.Kind.GOODS:
        if not goods_description.strip() or not goods_quantity or goods_quantity < 1:
            raise ValidationError(_("Describe the goods and their quantity."))
        if goods_quantity > limits.MAX_QUANTITY or (
            goods_unit_value is not None
            and not (0 < quantize(goods_unit_value) <= limits.MAX_UNIT_VALUE)
        ):
            raise ValidationError(
                _("At most %(quantity)s items, each worth at most ¥%(value)s.")
                % {"quantity": f"{limits.MAX_QUANTITY:,}", "value": f"{limits.MAX_UNIT_VALUE:,.0f}"}
            )
        too_much = limits.goods_total_error(
            goods_quantity, quantize(goods_unit_value) if goods_unit_value else None
        )
        if too_much:
            raise ValidationError(too_much)
        interval, amount, status = Pledge.Interval.ONCE, None, Pledge.Status.AWAITING_GOODS
    else:
        raise ValidationError(_("Choose money or goods."))
    with transaction.atomic():
        donor = (
            donor_for_organisation(organisation=organisation)
            if organisation is not None
            else donor_for_user(user=user)
        )
        pledge = Pledge.objects.create(
            donor=donor,
            created_by=user,
            kind=kind,
            amount=quantize(amount) if amount is not None else None,
            interval=interval,
            fund=fund,
            show_name=show_name,
            status=status,
            goods_description=goods_description.strip(),
            goods_quantity=goods_quantity,
            goods_unit_value=quantize(goods_unit_value) if goods_unit_value else None,
            purpose_key=purpose.key if purpose else "",
            purpose_id=purpose.id if purpose else None,
        )
        transition_record(obj=pledge, from_state="", to_state=status, by=user)
        return pledge


LEGAL_MOVES: dict[str, set[str]] = {
    Pledge.Status.PAID: {Pledge.Status.PENDING, Pledge.Status.FAILED, Pledge.Status.EXPIRED},
    Pledge.Status.ACTIVE: {Pledge.Status.PENDING, Pledge.Status.FAILED, Pledge.Status.EXPIRED},
    Pledge.Status.FAILED: {Pledge.Status.PENDING},
    Pledge.Status.EXPIRED: {Pledge.Status.PENDING},
    Pledge.Status.CANCELLED: {Pledge.Status.ACTIVE, Pledge.Status.AWAITING_GOODS},
    Pledge.Status.RECEIVED: {Pledge.Status.AWAITING_GOODS},
}


def pledge_move(
    *,
    pledge: Pledge,
    to: str,
    by: User | None = None,
    reason: str = "",
    locked: bool = False,
    **fields: Any,
) -> Pledge:
    """The one place a pledge changes state. A repeat is quiet; an illegal move is refused.

    A payment that arrives after a checkout expired or failed still marks the pledge paid:
    money received wins over a lapsed session. ``locked``: see ``transition``.
    """
    return transition(
        pledge,
        to=to,
        allowed_from=LEGAL_MOVES.get(to, set()),
        by=by,
        reason=reason,
        locked=locked,
        **fields,
    ).obj


def _checkout_params(
    pledge: Pledge, checkout: CheckoutSession, *, success_url: str, cancel_url: str
) -> dict[str, Any]:
    metadata = {"pledge_id": str(pledge.pk), "checkout_id": str(checkout.pk)}
    if pledge.purpose is not None:
        metadata["purpose"] = str(pledge.purpose)
    purpose = pledge.purpose
    label = purpose_for(purpose.key).label(purpose_id=purpose.id) if purpose else ""
    product = {"name": label or f"{pledge.fund.name} / {pledge.fund.name_en}"}
    price: dict[str, Any] = {
        "currency": pledge.currency.lower(),
        "unit_amount": to_minor(checkout.amount, checkout.currency),
        "product_data": product,
    }
    params: dict[str, Any] = {
        "client_reference_id": str(pledge.pk),
        "success_url": success_url,
        "cancel_url": cancel_url,
        "expires_at": int(checkout.expires_at.timestamp()),
        "metadata": metadata,
        "customer_email": pledge.created_by.email,
        "locale": "zh" if pledge.created_by.language.startswith("zh") else "en",
    }
    if pledge.is_recurring:
        price["recurring"] = {"interval": pledge.interval}
        params.update(
            mode="subscription",
            payment_method_types=["card"],
            subscription_data={"metadata": metadata},
        )
    else:
        params.update(
            mode="payment",
            payment_method_types=ONE_TIME_METHODS,
            payment_method_options={"wechat_pay": {"client": "web"}},
            payment_intent_data={"metadata": metadata},
        )
    params["line_items"] = [{"price_data": price, "quantity": 1}]
    return params


def checkout_start(*, pledge: Pledge, success_url: str, cancel_url: str) -> CheckoutSession:
    """Open a Stripe Checkout Session for a pending money pledge.

    The idempotency key is committed before Stripe is called; a retry after a failed
    call reuses it, so Stripe never opens two sessions for one attempt.
    """
    if not stripe_gateway.is_configured():
        raise stripe_gateway.PaymentsNotConfigured
    if pledge.kind != Pledge.Kind.MONEY or pledge.status != Pledge.Status.PENDING:
        raise IllegalMove(_("This pledge is not waiting for payment."))
    now = timezone.now()
    with transaction.atomic():
        Pledge.objects.select_for_update().get(pk=pledge.pk)
        if (
            pledge.purpose_key
            and purpose_for(pledge.purpose_key).one_checkout_per_pledge
            and pledge.checkouts.exclude(status=CheckoutSession.Status.CREATING).exists()
        ):
            # A held share lives as long as its one checkout: a new payment is a new pledge.
            raise IllegalMove(_("This chip-in has ended; please chip in again."))
        checkout = (
            CheckoutSession.objects.filter(
                pledge=pledge,
                status=CheckoutSession.Status.OPEN,
                expires_at__gt=now + timedelta(minutes=5),
            ).first()
            or CheckoutSession.objects.filter(
                pledge=pledge,
                status=CheckoutSession.Status.CREATING,
                expires_at__gt=now + CHECKOUT_LIFETIME + CHECKOUT_MARGIN / 3,
            ).first()
        )
        if checkout is not None and checkout.status == CheckoutSession.Status.OPEN:
            return checkout
        if checkout is None:
            assert pledge.amount is not None
            checkout = CheckoutSession.objects.create(
                pledge=pledge,
                amount=pledge.amount,
                currency=pledge.currency,
                expires_at=now + CHECKOUT_LIFETIME + CHECKOUT_MARGIN,
            )
    session = stripe_gateway.checkout_session_create(
        params=_checkout_params(pledge, checkout, success_url=success_url, cancel_url=cancel_url),
        idempotency_key=f"checkout-{checkout.idempotency_key}",
    )
    CheckoutSession.objects.filter(pk=checkout.pk, status=CheckoutSession.Status.CREATING).update(
        stripe_session_id=session["id"],
        url=session.get("url") or "",
        status=CheckoutSession.Status.OPEN,
    )
    checkout.refresh_from_db()
    return checkout


def checkout_close(*, stripe_session_id: str, status: str) -> CheckoutSession | None:
    """Mark a session complete, expired or failed; a complete session never changes again,
    and no later state goes back to open."""
    checkout = CheckoutSession.objects.filter(stripe_session_id=stripe_session_id).first()
    if checkout is None:
        return None
    allowed = {CheckoutSession.Status.CREATING, CheckoutSession.Status.OPEN}
    if status == CheckoutSession.Status.COMPLETE:
        # Paid after Stripe said it expired or failed (async methods): payment wins.
        allowed |= {CheckoutSession.Status.EXPIRED, CheckoutSession.Status.FAILED}
    with transaction.atomic():
        locked = CheckoutSession.objects.select_for_update().get(pk=checkout.pk)
        if locked.status not in allowed:
            return locked
        return transition(locked, to=status, allowed_from=allowed).obj


def checkout_complete(*, checkout_id: int, pledge_id: int) -> CheckoutSession | None:
    """Called in the transaction that books the checkout's payment: complete it with it."""
    checkout = CheckoutSession.objects.filter(pk=checkout_id, pledge_id=pledge_id).first()
    if checkout is None or checkout.status == CheckoutSession.Status.COMPLETE:
        return checkout
    return transition(
        checkout,
        to=CheckoutSession.Status.COMPLETE,
        allowed_from={
            CheckoutSession.Status.CREATING,
            CheckoutSession.Status.OPEN,
            CheckoutSession.Status.EXPIRED,
            CheckoutSession.Status.FAILED,
        },
        reason="paid",
    ).obj


def pledge_mark_paid(*, pledge: Pledge, reason: str, locked: bool = False) -> Pledge:
    """Money received is always booked; the pledge shows paid unless it had been cancelled.

    Called in the booking's transaction; ``locked`` says the booking already holds the
    pledge's row lock and read it under that lock.
    """
    if not locked:
        pledge = Pledge.objects.select_for_update().get(pk=pledge.pk)
    if pledge.status in LEGAL_MOVES[Pledge.Status.PAID]:
        return pledge_move(pledge=pledge, to=Pledge.Status.PAID, reason=reason, locked=True)
    transition_record(
        obj=pledge, from_state=pledge.status, to_state=pledge.status, reason=f"paid: {reason}"
    )
    return pledge


def pledge_cancel(*, pledge: Pledge, by: User) -> Pledge:
    """Cancel a recurring pledge (Stripe stops charging) or a goods pledge not yet received.

    A one-time pledge waiting for payment is not cancelled: its checkout simply lapses, and a
    payment still arriving is booked.
    """
    if not selectors.pledge_may_manage(user=by, pledge=pledge):
        raise PermissionDenied(_("Only the company's administrators can cancel its pledges."))
    if pledge.status == Pledge.Status.CANCELLED:
        return pledge
    if pledge.status not in (Pledge.Status.ACTIVE, Pledge.Status.AWAITING_GOODS):
        raise IllegalMove(
            _("Only a recurring gift or a goods pledge not yet received can be cancelled.")
        )
    if pledge.stripe_subscription_id and pledge.status == Pledge.Status.ACTIVE:
        stripe_gateway.subscription_cancel(
            subscription_id=pledge.stripe_subscription_id,
            idempotency_key=f"cancel-pledge-{pledge.pk}",
        )
    return pledge_move(
        pledge=pledge, to=Pledge.Status.CANCELLED, by=by, reason="cancelled by donor"
    )


STALE_AFTER = timedelta(hours=1)


def pledges_expire_stale() -> int:
    """Beat: a one-time money pledge whose checkouts all lapsed unpaid is expired, so a
    donor's list shows it as expired rather than "waiting for payment" for ever.

    A payment that still arrives later is booked all the same (money received wins over a
    lapsed pledge, see pledge_mark_paid). Safe to run twice.
    """
    now = timezone.now()
    lapsed = CheckoutSession.objects.filter(
        status__in=(CheckoutSession.Status.OPEN, CheckoutSession.Status.CREATING),
        expires_at__lte=now - CHECKOUT_MARGIN,
    )
    for checkout in lapsed:
        transition(
            checkout,
            to=CheckoutSession.Status.EXPIRED,
            allowed_from={CheckoutSession.Status.OPEN, CheckoutSession.Status.CREATING},
            reason="lapsed without payment",
        )
    stale = (
        Pledge.objects.filter(
            kind=Pledge.Kind.MONEY,
            interval=Pledge.Interval.ONCE,
            status=Pledge.Status.PENDING,
            created_at__lte=now - STALE_AFTER,
            donations__isnull=True,
        )
        .exclude(
            checkouts__status__in=(
                CheckoutSession.Status.OPEN,
                CheckoutSession.Status.CREATING,
                CheckoutSession.Status.COMPLETE,
            )
        )
        .distinct()
    )
    count = 0
    for pledge in stale:
        if pledge_move(pledge=pledge, to=Pledge.Status.EXPIRED, reason="not paid").status == (
            Pledge.Status.EXPIRED
        ):
            count += 1
    return count

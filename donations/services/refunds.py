"""Refunds and disputes: the ledger reverses what left, the receipt is voided with the reason,
and after a partial refund a replacement receipt is issued for the amount kept."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import stripe
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from charity.models import Account, LedgerEntry
from charity.purposes import PurposeHandler, fund_purpose, pledge_purpose
from charity.services import Leg, account_get, entry_post, memo_text
from core.money import from_minor, quantize, to_minor
from core.transitions import transition_record
from donations import stripe_gateway as gw
from donations.models import Donation, Receipt, Refund
from donations.services.gifts import Settlement, settlement_of
from donations.services.receipts import receipt_issue, receipt_void

RESEND_AFTER = timedelta(minutes=2)


def refund_request(*, donation: Donation, amount: Decimal, reason: str, by: User | None) -> Refund:
    """Refund a Stripe donation (one-time or a monthly/yearly charge) in full or part.

    The Refund row and its idempotency key are committed before Stripe is called, so a retry
    never refunds twice. Under the donation's lock, a refund already on its way refuses a
    second one (a double click); one left waiting after a time-out may be sent again after a
    moment, with the same key. The ledger and receipts change when Stripe confirms.
    """
    purpose = _purpose_of(donation)
    if purpose is not None and not purpose[0].is_gift:
        # e.g. a loan's fee and deposit: its domain returns what is due, when it is due
        raise ValidationError(
            _("This payment is not a gift: it is returned where it was taken (%(what)s).")
            % {"what": purpose[0].label(purpose_id=purpose[1])}
        )
    if purpose is not None:
        purpose[0].refund_check(purpose_id=purpose[1])
    with transaction.atomic():
        refund = refund_prepare(donation=donation, amount=amount, reason=reason, by=by)
        # marked sent under the donation's lock: a second click at the same moment is refused
        Refund.objects.filter(pk=refund.pk).update(sent_at=timezone.now())
    return _refund_call(refund)


def refund_prepare(*, donation: Donation, amount: Decimal, reason: str, by: User | None) -> Refund:
    """The first half of a refund, inside the caller's transaction: the row and its key, or
    the one already on its way. A domain that refunds as part of its own change (a deposit
    returned) calls this under its own lock and sends the refund after commit."""
    amount = quantize(amount, donation.currency)
    if not reason.strip():
        raise ValidationError(_("Give a reason for the refund."))
    if not (donation.stripe_payment_intent or donation.stripe_charge):
        raise ValidationError(_("Only online (Stripe) donations can be refunded here."))
    now = timezone.now()
    locked = Donation.objects.select_for_update().get(pk=donation.pk)
    waiting = locked.refunds.filter(status=Refund.Status.REQUESTED).order_by("pk")
    refund = waiting.first()
    if refund is not None:
        if refund.amount != amount or (refund.sent_at and refund.sent_at > now - RESEND_AFTER):
            raise ValidationError(
                _("A refund of this gift is already on its way to Stripe; look again in a moment.")
            )
    elif (
        locked.refunds.filter(amount=amount, created_at__gte=now - RESEND_AFTER)
        .exclude(status=Refund.Status.FAILED)
        .exists()
    ):
        # the same refund a moment ago, already done: a double click, not a second refund
        raise ValidationError(
            _("This refund was just made; see the refunds below before making another.")
        )
    else:
        left = locked.amount - locked.refunded_amount
        if amount <= 0 or amount > left:
            raise ValidationError(
                _("The refund must be more than zero and at most %(left)s.") % {"left": left}
            )
        refund = Refund.objects.create(
            donation=locked, amount=amount, reason=reason.strip(), requested_by=by
        )
    return refund


def refund_send(*, refund: Refund) -> Refund:
    """Ask Stripe for a prepared refund, with its saved key: sending it again (a retry, a
    second worker) never refunds twice. A refund already recorded is returned as it is."""
    refund.refresh_from_db()
    if refund.status != Refund.Status.REQUESTED:
        return refund
    Refund.objects.filter(pk=refund.pk).update(sent_at=timezone.now())
    return _refund_call(refund)


def _refund_call(refund: Refund) -> Refund:
    donation = refund.donation
    amount = refund.amount
    try:
        stripe_refund = gw.refund_create(
            payment_intent_id=donation.stripe_payment_intent,
            charge_id=donation.stripe_charge,
            amount_minor=to_minor(amount, donation.currency),
            idempotency_key=f"refund-{refund.idempotency_key}",
            metadata={"refund_id": str(refund.pk), "donation_id": str(donation.pk)},
        )
    except stripe.IdempotencyError:
        # Stripe is already handling this very key: the refund was made (or is being made).
        found = gw.refund_for_idempotency_key(
            charge_id=donation.stripe_charge or None, metadata_refund_id=str(refund.pk)
        )
        if found is None:
            return refund  # its webhook will record it
        stripe_refund = found
    except (stripe.InvalidRequestError, stripe.CardError, stripe.PermissionError) as exc:
        # Stripe said no: nothing was refunded.
        Refund.objects.filter(pk=refund.pk, status=Refund.Status.REQUESTED).update(
            status=Refund.Status.FAILED, failure=str(exc)[:255]
        )
        raise
    # Any other error (time-out, connection) leaves the refund REQUESTED: Stripe may have
    # acted, and asking again reuses the same key, so it can never go out twice.
    return refund_record_from_stripe(refund=stripe_refund)


def refund_record_from_stripe(
    *, refund: dict[str, Any], charge: dict[str, Any] | None = None
) -> Refund:
    """Record a refund Stripe made (ours or one made in Stripe's dashboard), once by its id."""
    with transaction.atomic():
        row = Refund.objects.select_for_update().filter(stripe_refund_id=refund["id"]).first()
        if row is None:
            refund_id = (refund.get("metadata") or {}).get("refund_id")
            if refund_id and str(refund_id).isdigit():
                row = (
                    Refund.objects.select_for_update()
                    .filter(pk=int(refund_id))
                    # a row already matched to another Stripe refund: this one is extra
                    .filter(Q(stripe_refund_id__isnull=True) | Q(stripe_refund_id=refund["id"]))
                    .first()
                )
        if row is None:
            intent_id = gw._id(refund.get("payment_intent")) or gw._id(
                (charge or {}).get("payment_intent")
            )
            charge_id = gw._id(refund.get("charge")) or (charge or {}).get("id")
            donation = (
                Donation.objects.filter(stripe_payment_intent=intent_id).first()
                if intent_id
                else None
            ) or (Donation.objects.filter(stripe_charge=charge_id).first() if charge_id else None)
            if donation is None:
                raise LookupError(f"no donation for refund {refund['id']}")
            row = Refund.objects.create(
                donation=donation,
                amount=from_minor(int(refund["amount"]), donation.currency),
                reason=refund.get("reason") or _("Refunded at Stripe"),
            )
        if row.status == Refund.Status.SUCCEEDED:
            return row
        if refund.get("status") in ("failed", "canceled"):
            row.status, row.failure = (
                Refund.Status.FAILED,
                refund.get("failure_reason") or refund["status"],
            )
            row.stripe_refund_id = refund["id"]
            row.save(update_fields=["status", "failure", "stripe_refund_id"])
            return row
        return _refund_complete(
            row=row, stripe_refund_id=refund["id"], settlement=settlement_of(refund)
        )


def _refund_complete(
    *, row: Refund, stripe_refund_id: str, settlement: Settlement | None
) -> Refund:
    donation = (
        Donation.objects.select_related("pledge")
        .select_for_update(of=("self",))
        .get(pk=row.donation_id)
    )
    amount, currency = row.amount, donation.currency
    purpose = _purpose_of(donation)
    parts = purpose[0].debits(purpose_id=purpose[1], amount=amount) if purpose else None
    fund_side = [
        Leg(account_get(kind=kind, fund=donation.fund, currency=currency), part)
        for kind, part in (parts or [(Account.Kind.REFUNDS, amount)])
        if part
    ]
    if sum((leg.amount for leg in fund_side), Decimal(0)) != amount:
        raise ValueError(f"refund parts {parts} do not add up to {amount}")
    if settlement is None or settlement.currency == currency:
        clearing = account_get(kind=Account.Kind.STRIPE_CLEARING, currency=currency)
        paid_out = abs(settlement.gross) if settlement else amount
        legs = [*fund_side, Leg(clearing, -paid_out)]
        if paid_out != amount:
            legs.append(
                Leg(account_get(kind=Account.Kind.EXCHANGE, currency=currency), paid_out - amount)
            )
    else:
        paid_out = abs(settlement.gross)
        legs = [
            *fund_side,
            Leg(account_get(kind=Account.Kind.EXCHANGE, currency=currency), -amount),
            Leg(account_get(kind=Account.Kind.EXCHANGE, currency=settlement.currency), paid_out),
            Leg(
                account_get(kind=Account.Kind.STRIPE_CLEARING, currency=settlement.currency),
                -paid_out,
            ),
        ]
    entry = entry_post(
        kind=LedgerEntry.Kind.REFUND,
        memo=memo_text(
            gettext_noop("Refund of donation #%(id)s: %(reason)s"),
            id=donation.pk,
            reason=row.reason,
        ),
        legs=legs,
        reference=f"refund:{stripe_refund_id}",
        created_by=row.requested_by,
    )
    row.status, row.stripe_refund_id, row.entry, row.completed_at = (
        Refund.Status.SUCCEEDED,
        stripe_refund_id,
        entry,
        timezone.now(),
    )
    row.save(update_fields=["status", "stripe_refund_id", "entry", "completed_at"])
    previous = donation.status
    donation.refunded_amount += amount
    donation.status = (
        Donation.Status.REFUNDED
        if donation.refunded_amount >= donation.amount
        else Donation.Status.PARTIALLY_REFUNDED
    )
    donation.save(update_fields=["refunded_amount", "status"])
    transition_record(
        obj=donation,
        from_state=previous,
        to_state=donation.status,
        by=row.requested_by,
        reason=row.reason,
    )
    if purpose is not None:
        handler, purpose_id = purpose
        handler.returned(purpose_id=purpose_id, amount=amount)
    from donations import tasks

    transaction.on_commit(
        lambda: tasks.send_refund_notice.delay(donation.pk, str(amount), row.reason)
    )
    for receipt in donation.receipts.filter(status=Receipt.Status.VALID):
        receipt_void(
            receipt=receipt,
            reason=_("Refunded: %(reason)s") % {"reason": row.reason},
            by=row.requested_by,
        )
        if donation.kept_amount > 0:
            receipt_issue(donation=donation, amount=donation.kept_amount, replaces=receipt)
    return row


def _purpose_of(donation: Donation) -> tuple[PurposeHandler, int] | None:
    """The purpose a gift went to: its earmarked fund's, or (for a payment that is not a
    gift, booked to a published fund) its pledge's."""
    purpose = fund_purpose(donation.fund)
    pledge = donation.pledge
    if purpose is None and not donation.is_gift and pledge and pledge.fund_id == donation.fund_id:
        purpose = pledge_purpose(key=pledge.purpose_key, purpose_id=pledge.purpose_id)
    return purpose


def donation_dispute(*, dispute: dict[str, Any]) -> Donation | None:
    """A card dispute: Stripe holds the amount back; we move it to suspense until resolved."""
    charge_id = gw._id(dispute.get("charge"))
    with transaction.atomic():
        donation = Donation.objects.select_for_update().filter(stripe_charge=charge_id).first()
        if donation is None:
            intent_id = gw._id(dispute.get("payment_intent"))
            donation = (
                Donation.objects.select_for_update().filter(stripe_payment_intent=intent_id).first()
            )
        if donation is None:
            raise LookupError(f"no donation for dispute {dispute['id']}")
        if donation.status == Donation.Status.DISPUTED:
            return donation
        currency = str(dispute.get("currency") or donation.currency).upper()
        amount = from_minor(int(dispute["amount"]), currency)
        entry_post(
            kind=LedgerEntry.Kind.DISPUTE,
            memo=memo_text(
                gettext_noop("Card dispute %(dispute)s on donation #%(id)s"),
                dispute=dispute["id"],
                id=donation.pk,
            ),
            legs=[
                Leg(account_get(kind=Account.Kind.SUSPENSE, currency=currency), amount),
                Leg(account_get(kind=Account.Kind.STRIPE_CLEARING, currency=currency), -amount),
            ],
            reference=f"dispute:{dispute['id']}",
        )
        previous = donation.status
        donation.status = Donation.Status.DISPUTED
        donation.save(update_fields=["status"])
        transition_record(
            obj=donation,
            from_state=previous,
            to_state=donation.status,
            reason=dispute.get("reason", ""),
        )
        return donation


def overflow_refund(*, donation_id: int) -> Refund:
    donation = Donation.objects.get(pk=donation_id)
    return refund_request(
        donation=donation,
        amount=donation.amount - donation.refunded_amount,
        reason=_("No longer needed for its purpose"),
        by=None,
    )


def duplicate_refund(*, donation_id: int) -> Refund:
    """The second payment for a one-time pledge: refunded in full, nothing kept."""
    donation = Donation.objects.get(pk=donation_id)
    if donation.refunded_amount >= donation.amount:
        return donation.refunds.filter(status=Refund.Status.SUCCEEDED).first()  # type: ignore[return-value]
    return refund_request(
        donation=donation,
        amount=donation.amount - donation.refunded_amount,
        reason=_("Paid twice for one pledge"),
        by=None,
    )


def refunds_resend_stuck(*, older_than: timedelta = timedelta(minutes=10)) -> int:
    """Beat: a refund saved but never confirmed (a worker died, Stripe did not answer) is
    asked again with its own key, while Stripe still knows the key (under a day); older ones,
    and refused ones, are the fund administrators' to look at (they are told once)."""
    now = timezone.now()
    stuck = Refund.objects.filter(
        status=Refund.Status.REQUESTED,
        created_at__gte=now - timedelta(hours=23),
    ).filter(Q(sent_at__isnull=True) | Q(sent_at__lte=now - older_than))
    sent = 0
    for refund in stuck.select_related("donation"):
        try:
            refund_send(refund=refund)
        except stripe.StripeError:
            continue  # left as it is: asked again next time, or refused (FAILED) and told
        sent += 1
    return sent

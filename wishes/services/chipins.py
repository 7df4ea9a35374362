"""Money for a wish: chip-ins held while their checkout is open, then paid or released;
and money moved from the pool by an approved disbursement.

`Wish.committed_amount` (paid + held + disbursed) may never pass the target: every change is
a conditional UPDATE under the wish's row lock, and a check constraint is the last guard.
"""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, User
from charity.models import Fund
from charity.purposes import Purpose
from charity.selectors import fund_general
from core.money import quantize
from core.transitions import transition, transition_record
from donations.models import CheckoutSession, Pledge
from donations.services import pledges as pledge_services
from wishes.models import WISH_PURPOSE, ChipIn, Wish
from wishes.services.notify import notify

HOLD = timedelta(minutes=30)


def _reserve(wish_id: int, amount: Decimal) -> bool:
    """Add to what is committed, only if it still fits under the target."""
    return bool(
        Wish.objects.filter(pk=wish_id, committed_amount__lte=F("target_amount") - amount).update(
            committed_amount=F("committed_amount") + amount
        )
    )


def _unreserve(wish_id: int, amount: Decimal) -> None:
    Wish.objects.filter(pk=wish_id).update(committed_amount=F("committed_amount") - amount)


def chipin_quote(*, wish: Wish, amount: Decimal) -> Decimal:
    """What a donor would actually give: never more than is still needed."""
    return max(Decimal(0), min(quantize(amount), wish.remaining))


class AmountChanged(ValidationError):
    """What would be charged is no longer what the donor confirmed: ask them again."""

    def __init__(self, new_amount: Decimal) -> None:
        self.new_amount = new_amount
        super().__init__(
            _("The amount still needed has just changed to ¥%(amount)s. Please confirm again.")
            % {"amount": f"{new_amount:,.2f}"}
        )


def chipin_start(
    *, wish: Wish, by: User, organisation: Organisation | None, amount: Decimal, show_name: bool
) -> ChipIn:
    """Hold exactly the amount the donor confirmed and create its pledge; the caller then opens
    the Stripe Checkout for that pledge.

    If less is needed by now (someone else gave meanwhile), nothing is held and AmountChanged
    says how much is left: a donor is never charged an amount they did not confirm.
    """
    amount = quantize(amount)
    if amount < Decimal("1"):
        raise ValidationError(_("Give at least ¥1."))
    with transaction.atomic():
        locked = (
            Wish.objects.select_for_update(of=("self",)).select_related("resident").get(pk=wish.pk)
        )
        if locked.resident.user_id == by.pk:
            raise PermissionDenied(_("You cannot claim or give to your own wish."))
        if (
            locked.status != Wish.Status.OPEN
            or locked.kind != Wish.Kind.MONEY
            or locked.fund is None
        ):
            raise ValidationError(_("This wish is not open for gifts."))
        if ChipIn.objects.filter(
            wish=locked, status=ChipIn.Status.HELD, pledge__created_by=by
        ).exists():
            # One payment in progress per person: nobody can keep a wish's remainder on hold.
            raise ValidationError(_("You already have a payment in progress for this wish."))
        if locked.remaining <= 0:
            raise ValidationError(_("This wish needs nothing more just now."))
        if amount > locked.remaining or not _reserve(locked.pk, amount):
            raise AmountChanged(max(Decimal(0), locked.remaining))
        pledge = pledge_services.pledge_create(
            user=by,
            organisation=organisation,
            kind=Pledge.Kind.MONEY,
            fund=locked.fund,
            show_name=show_name,
            amount=amount,
            purpose=Purpose(WISH_PURPOSE, locked.pk),
        )
        chipin = ChipIn.objects.create(
            wish=locked, pledge=pledge, amount=amount, expires_at=timezone.now() + HOLD
        )
        transition_record(obj=chipin, from_state="", to_state=chipin.status, by=by)
        return chipin


def chipin_checkout_open(*, chipin: ChipIn, success_url: str, cancel_url: str) -> CheckoutSession:
    """Open the chip-in's one Stripe Checkout; the hold then lasts exactly as long as it."""
    checkout = pledge_services.checkout_start(
        pledge=chipin.pledge, success_url=success_url, cancel_url=cancel_url
    )
    ChipIn.objects.filter(pk=chipin.pk, status=ChipIn.Status.HELD).update(
        expires_at=checkout.expires_at
    )
    return checkout


def chipin_release(*, chipin: ChipIn, reason: str) -> ChipIn:
    """The checkout expired or failed: what was held is free again. A repeat does nothing."""
    with transaction.atomic():
        Wish.objects.select_for_update().get(pk=chipin.wish_id)  # the wish first, as everywhere
        locked = ChipIn.objects.select_for_update().get(pk=chipin.pk)
        if locked.status != ChipIn.Status.HELD:
            return locked  # paid or already released: nothing is held any more
        moved = transition(
            locked, to=ChipIn.Status.RELEASED, allowed_from={ChipIn.Status.HELD}, reason=reason
        )
        _unreserve(locked.wish_id, locked.amount)
        return moved.obj


def chipins_release_expired() -> int:
    """Beat: release holds whose checkout lifetime is over (if Stripe's event never came)."""
    count = 0
    for chipin in ChipIn.objects.filter(status=ChipIn.Status.HELD, expires_at__lte=timezone.now()):
        if chipin_release(chipin=chipin, reason="hold expired").status == ChipIn.Status.RELEASED:
            count += 1
    return count


def chipin_settle(*, pledge_id: int) -> Fund | None:
    """Money arrived for a chip-in: mark it paid and return the wish's fund to credit.

    If its hold had lapsed and the wish no longer needs the amount, return None: the gift
    goes to the general pool instead (or is refunded, as WISHPOOL_WISH_OVERFLOW says) and the
    donor is told (``overflow_handle``).
    """
    with transaction.atomic():
        wish_id = ChipIn.objects.values_list("wish_id", flat=True).get(pledge_id=pledge_id)
        wish = Wish.objects.select_for_update().get(
            pk=wish_id
        )  # always the wish first, then the chip-in
        chipin = ChipIn.objects.select_for_update().get(pledge_id=pledge_id)
        # Called once per new payment: a chip-in already paid means a second payment for it.
        if chipin.status == ChipIn.Status.HELD or (
            chipin.status == ChipIn.Status.RELEASED
            and wish.status == Wish.Status.OPEN
            and _reserve(wish.pk, chipin.amount)
        ):
            transition(
                chipin,
                to=ChipIn.Status.PAID,
                allowed_from={ChipIn.Status.HELD, ChipIn.Status.RELEASED},
            )
            return wish.fund
        transition_record(
            obj=chipin, from_state=chipin.status, to_state=chipin.status, reason="overflow"
        )
        return None


def overflow_handle(*, pledge_id: int, donation_id: int) -> None:
    """An overflow gift is booked to the pool: refund it if the fund says so; tell the donor."""
    from donations import tasks
    from donations.models import Donation
    from wishes.services.notify import overflow_notice_send

    pledge = Pledge.objects.select_related("created_by").get(pk=pledge_id)
    donation = Donation.objects.get(pk=donation_id)
    refunded = getattr(settings, "WISHPOOL_WISH_OVERFLOW", "pool") == "refund"
    if refunded:
        # Stripe is called after the payment's transaction commits, never inside it.
        transaction.on_commit(lambda: tasks.refund_overflow.delay(donation_id))
    wish = ChipIn.objects.select_related("wish").get(pledge_id=pledge_id).wish
    transaction.on_commit(
        lambda: overflow_notice_send(
            user=pledge.created_by, wish=wish, amount=donation.amount, refunded=refunded
        )
    )


def wish_mark_funded_if_complete(*, wish_id: int) -> Wish:
    """Money wishes are funded when the ledger shows the wish's fund has its target."""
    from wishes.selectors import wish_raised

    with transaction.atomic():
        wish = Wish.objects.select_for_update().get(pk=wish_id)
        if wish.status != Wish.Status.OPEN or wish.target_amount is None:
            return wish
        if wish_raised(wish) >= wish.target_amount:
            wish = transition(
                wish,
                to=Wish.Status.FUNDED,
                allowed_from={Wish.Status.OPEN},
                reason="target reached",
            ).obj
            notify(wish=wish, event="funded")
        return wish


def wish_fund_from_pool_request(*, wish: Wish, amount: Decimal | None, by: User):  # type: ignore[no-untyped-def]
    """A fund administrator asks to fund an open wish from the general pool; someone else
    approves it (charity.services.disbursement_approve). Without an amount, what is still
    needed now (read under the wish's lock, not from the caller's copy)."""
    with transaction.atomic():
        wish = Wish.objects.select_for_update(of=("self",)).select_related("fund").get(pk=wish.pk)
        return _pool_request(wish=wish, amount=amount, by=by)


def _pool_request(*, wish: Wish, amount: Decimal | None, by: User):  # type: ignore[no-untyped-def]
    from charity.models import Disbursement
    from charity.services import disbursement_request

    if wish.kind != Wish.Kind.MONEY or wish.fund is None or wish.status != Wish.Status.OPEN:
        raise ValidationError(_("Only open money wishes can be funded from the pool."))
    if Disbursement.objects.filter(
        to_fund=wish.fund, status=Disbursement.Status.REQUESTED
    ).exists():
        raise ValidationError(_("A request for this wish is already waiting for approval."))
    amount = quantize(amount if amount is not None else wish.remaining)
    return disbursement_request(
        from_fund=fund_general(),
        to_fund=wish.fund,
        amount=amount,
        reason=_("Micro-wish #%(id)s") % {"id": wish.pk},
        by=by,
    )


def wish_disbursement_reserve(*, wish_id: int, amount: Decimal) -> None:
    """Called inside the approval's transaction: the wish must still need this much."""
    wish = Wish.objects.select_for_update().get(pk=wish_id)
    if wish.status != Wish.Status.OPEN or not _reserve(wish.pk, amount):
        raise ValidationError(_("The wish no longer needs this much."))


def wish_money_returned(*, wish_id: int, amount: Decimal) -> None:
    """A gift to a wish was refunded: the wish needs that much again, and reopens if it was
    counted as funded."""
    with transaction.atomic():
        wish = Wish.objects.select_for_update().get(pk=wish_id)
        Wish.objects.filter(pk=wish.pk).update(
            committed_amount=Greatest(F("committed_amount") - amount, Value(Decimal(0)))
        )
        if wish.status == Wish.Status.FUNDED:
            transition(
                wish,
                to=Wish.Status.OPEN,
                allowed_from={Wish.Status.FUNDED},
                reason="gift refunded",
            )


def chipin_cancel(*, pledge_id: int, by: User) -> ChipIn | None:
    """The donor pressed Cancel on the payment page: end the Checkout Session at Stripe and
    free the held amount at once, so they (or anyone) can give again straight away.

    If Stripe says the session can no longer be expired (it was paid meanwhile), nothing is
    released: the payment's event books it.
    """
    import stripe

    from donations import stripe_gateway
    from donations.models import CheckoutSession
    from donations.services.pledges import checkout_close

    chipin = ChipIn.objects.select_related("pledge").filter(pledge_id=pledge_id).first()
    if chipin is None or chipin.pledge.created_by_id != by.pk:
        return None
    if chipin.status != ChipIn.Status.HELD:
        return chipin
    for checkout in chipin.pledge.checkouts.filter(
        status=CheckoutSession.Status.OPEN, stripe_session_id__isnull=False
    ):
        try:
            stripe_gateway.checkout_session_expire(checkout.stripe_session_id or "")
        except stripe.InvalidRequestError:
            session = stripe_gateway.checkout_session_retrieve(checkout.stripe_session_id or "")
            if session.get("status") != "expired":
                return chipin  # paid (or being paid): the payment will be booked
        checkout_close(
            stripe_session_id=checkout.stripe_session_id or "",
            status=CheckoutSession.Status.EXPIRED,
        )
    released = chipin_release(chipin=chipin, reason="cancelled by the donor")
    pledge_services.pledge_move(
        pledge=chipin.pledge, to=Pledge.Status.EXPIRED, by=by, reason="cancelled by the donor"
    )
    return released

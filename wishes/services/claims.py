"""Claims: one donor takes on a whole wish, with a deadline; a claim not delivered by then
lapses and the wish is open again."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, User
from core.transitions import transition, transition_record
from donations import selectors as donation_selectors
from donations.services.donors import donor_for_organisation, donor_for_user
from wishes.models import Claim, Wish
from wishes.services.notify import notify

REMIND_BEFORE = timedelta(days=2)


def claim_create(
    *, wish: Wish, by: User, organisation: Organisation | None, show_name: bool
) -> Claim:
    """Two donors pressing “claim” at the same moment leave exactly one claim: the wish row
    is locked, and the database allows one active claim per wish."""
    if not donation_selectors.can_pledge(user=by, organisation=organisation):
        raise PermissionDenied(_("Only approved members can claim wishes."))
    try:
        with transaction.atomic():
            locked = (
                Wish.objects.select_for_update(of=("self",))
                .select_related("resident")
                .get(pk=wish.pk)
            )
            if locked.resident.user_id == by.pk:
                raise PermissionDenied(_("You cannot claim or give to your own wish."))
            if locked.status != Wish.Status.OPEN:
                raise ValidationError(_("This wish is no longer open."))
            if locked.kind != Wish.Kind.ITEM:
                raise ValidationError(_("A money wish is not claimed whole: chip in instead."))
            donor = (
                donor_for_organisation(organisation=organisation)
                if organisation
                else donor_for_user(user=by)
            )
            claim = Claim.objects.create(
                wish=locked,
                donor=donor,
                claimed_by=by,
                show_name=show_name,
                deadline=timezone.now() + timedelta(days=locked.claim_days),
            )
            transition_record(obj=claim, from_state="", to_state=claim.status, by=by)
            locked = transition(
                locked, to=Wish.Status.CLAIMED, allowed_from={Wish.Status.OPEN}, by=by
            ).obj
            notify(wish=locked, event="claimed", claim=claim)
            notify(wish=locked, event="claim_confirmed", claim=claim)
            return claim
    except IntegrityError as exc:
        raise ValidationError(_("This wish is no longer open.")) from exc


def _claim_end(*, claim: Claim, to: str, by: User | None, reason: str) -> Claim:
    """A claim ends without delivery: the wish is open again and the donor is told.
    A repeat (the claim already ended) does nothing."""
    with transaction.atomic():
        wish = Wish.objects.select_for_update().get(pk=claim.wish_id)  # the wish first
        locked = Claim.objects.select_for_update().get(pk=claim.pk)
        if locked.status != Claim.Status.ACTIVE:
            return locked
        locked = transition(
            locked,
            to=to,
            allowed_from={Claim.Status.ACTIVE},
            by=by,
            reason=reason,
            closed_at=timezone.now(),
        ).obj
        if wish.status == Wish.Status.CLAIMED:
            wish = transition(
                wish, to=Wish.Status.OPEN, allowed_from={Wish.Status.CLAIMED}, reason=reason
            ).obj
        notify(wish=wish, event="claim_lapsed", claim=locked)
        return locked


def claim_lapse(*, claim: Claim, reason: str = "deadline passed") -> Claim:
    """Beat: the deadline passed without delivery."""
    return _claim_end(claim=claim, to=Claim.Status.LAPSED, by=None, reason=reason)


def claim_withdraw(*, claim: Claim, by: User) -> Claim:
    """The donor gives the wish back before the deadline."""
    if not donation_selectors.donors_for_user(user=by).filter(pk=claim.donor_id).exists():
        raise PermissionDenied
    return _claim_end(
        claim=claim, to=Claim.Status.WITHDRAWN, by=by, reason="withdrawn by the donor"
    )


def claims_lapse_due() -> int:
    """Beat: lapse every active claim past its deadline. Safe to run twice."""
    due = Claim.objects.filter(status=Claim.Status.ACTIVE, deadline__lte=timezone.now())
    count = 0
    for claim in due:
        if claim_lapse(claim=claim).status == Claim.Status.LAPSED:
            count += 1
    return count


def claims_remind_due() -> int:
    """Beat: tell donors whose claim lapses within two days, once per claim."""
    now = timezone.now()
    count = 0
    for claim_id in Claim.objects.filter(
        status=Claim.Status.ACTIVE,
        reminded_at__isnull=True,
        deadline__lte=now + REMIND_BEFORE,
        deadline__gt=now,
    ).values_list("pk", flat=True):
        with transaction.atomic():
            claim = Claim.objects.select_for_update().get(pk=claim_id)
            if claim.reminded_at is not None or claim.status != Claim.Status.ACTIVE:
                continue
            claim.reminded_at = now
            claim.save(update_fields=["reminded_at"])
            notify(wish=claim.wish, event="claim_lapsing", claim=claim)
            count += 1
    return count

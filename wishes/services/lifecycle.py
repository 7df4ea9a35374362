"""A wish's moves. Each locks the row, checks the state, refuses an illegal move with a
clear message, does nothing on a repeat, and appends to the history (core.Transition)."""

import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import selectors as account_selectors
from accounts.models import Resident, User
from charity.purposes import Purpose
from charity.services import fund_earmark
from core.money import quantize
from core.transitions import IllegalMove, Moved, transition, transition_record
from wishes import selectors
from wishes.models import WISH_PURPOSE, Claim, Wish
from wishes.privacy import note_warnings, public_text_warnings
from wishes.services.notify import notify

MAX_WISH_AMOUNT = Decimal("20000")
MAX_WISH_QUANTITY = 1000
NEEDED_BY_HORIZON = timedelta(days=366)  # a micro-wish is for the coming year, not 9999


def _move(
    *,
    wish: Wish,
    allowed_from: set[str],
    to: str,
    by: User | None,
    reason: str = "",
    **fields: Any,
) -> Moved:
    return transition(wish, to=to, allowed_from=allowed_from, by=by, reason=reason, **fields)


def _validate(
    *, kind: str, quantity: int | None, target_amount: Decimal | None, needed_by: date
) -> None:
    if kind == Wish.Kind.ITEM and not (quantity and 0 < quantity <= MAX_WISH_QUANTITY):
        raise ValidationError(_("Say how many are needed."))
    if kind == Wish.Kind.MONEY and (
        target_amount is None or not (Decimal("1") <= quantize(target_amount) <= MAX_WISH_AMOUNT)
    ):
        raise ValidationError(_("The amount must be between ¥1 and ¥20,000."))
    needed_by_check(needed_by)


def needed_by_check(needed_by: date) -> None:
    """From today to a year ahead: a wish is for the coming months."""
    today = timezone.localdate()
    if needed_by < today:
        raise ValidationError(_("The needed-by date is in the past."))
    if needed_by > today + NEEDED_BY_HORIZON:
        raise ValidationError(_("The needed-by date must be within a year from today."))


def _public_text_check(
    *, resident: Resident, pseudonym: str, coarse_area: str, title: str, story: str
) -> None:
    private = getattr(resident, "private", None)
    warnings = public_text_warnings(
        pseudonym=pseudonym,
        coarse_area=coarse_area,
        title=title,
        story=story,
        real_name=private.real_name if private is not None else "",
        phone=private.phone if private is not None else "",
        address=private.address if private is not None else "",
    )
    if warnings:
        raise ValidationError(warnings)


def wish_submit(
    *,
    by: User,
    resident: Resident,
    title: str,
    story: str,
    category: str,
    kind: str,
    needed_by: date,
    consent: str,
    quantity: int | None = None,
    target_amount: Decimal | None = None,
    pseudonym: str = "",
    coarse_area: str = "",
    photo: str = "",
    photo_public: bool = False,
    submission_token: uuid.UUID | None = None,
) -> Wish:
    """A resident posts their own wish, or a worker posts one for a resident of their station
    (recording how the resident agreed).

    The public name and area are checked against the resident's private record (no real name,
    no house number). With a submission token, the same form sent again returns the first
    wish instead of posting a second.
    """
    if submission_token is not None:
        existing = Wish.objects.filter(submission_token=submission_token).first()
        if existing is not None:
            if existing.posted_by_id != by.pk:
                raise PermissionDenied
            return existing
    own = getattr(by, "resident", None)
    if own is not None and own.pk == resident.pk:
        consent = Wish.Consent.SELF
    elif account_selectors.is_community_worker(by) and by.station_id == resident.station_id:
        if consent not in (Wish.Consent.IN_PERSON, Wish.Consent.PHONE, Wish.Consent.PAPER):
            raise ValidationError(_("Record how the resident agreed to this wish."))
    else:
        raise PermissionDenied
    if category not in Wish.Category.values or kind not in Wish.Kind.values:
        raise ValidationError(_("Choose a category and a kind."))
    _validate(kind=kind, quantity=quantity, target_amount=target_amount, needed_by=needed_by)
    pseudonym = (pseudonym or resident.pseudonym).strip()
    coarse_area = (coarse_area or resident.coarse_area).strip()
    _public_text_check(
        resident=resident, pseudonym=pseudonym, coarse_area=coarse_area, title=title, story=story
    )
    with transaction.atomic():
        if submission_token is not None:
            # Two identical posts at the same moment: the unique token lets one through.
            Wish.objects.select_for_update().filter(submission_token=submission_token).exists()
        wish = Wish.objects.create(
            resident=resident,
            station=resident.station,
            posted_by=by,
            consent=consent,
            title=title.strip(),
            story=story.strip(),
            category=category,
            kind=kind,
            quantity=quantity if kind == Wish.Kind.ITEM else None,
            target_amount=quantize(target_amount)
            if kind == Wish.Kind.MONEY and target_amount
            else None,
            needed_by=needed_by,
            pseudonym=pseudonym,
            coarse_area=coarse_area,
            photo=photo,
            photo_public=bool(photo and photo_public),
            submission_token=submission_token,
        )
        transition_record(obj=wish, from_state="", to_state=wish.status, by=by)
        notify(wish=wish, event="submitted")
        return wish


def wish_resubmit(
    *,
    wish: Wish,
    by: User,
    title: str,
    story: str,
    needed_by: date,
    photo: str = "",
    pseudonym: str = "",
    coarse_area: str = "",
    photo_public: bool | None = None,
) -> Wish:
    """The resident (or the worker who posted for them) edits a wish not yet on the board:
    while it waits for review it stays waiting; after staff asked for changes it goes back for
    review."""
    if not selectors.wishes_for_user(user=by).filter(pk=wish.pk).exists():
        raise PermissionDenied
    needed_by_check(needed_by)
    with transaction.atomic():
        locked = (
            Wish.objects.select_for_update(of=("self",))
            .select_related("resident__private")
            .get(pk=wish.pk)
        )
        fields: dict[str, Any] = {
            "title": title.strip(),
            "story": story.strip(),
            "needed_by": needed_by,
            "pseudonym": (pseudonym or locked.pseudonym).strip(),
            "coarse_area": (coarse_area or locked.coarse_area).strip(),
            "staff_message": "",
        }
        _public_text_check(
            resident=locked.resident,
            pseudonym=fields["pseudonym"],
            coarse_area=fields["coarse_area"],
            title=fields["title"],
            story=fields["story"],
        )
        if photo:
            fields["photo"] = photo
        if photo_public is not None:
            fields["photo_public"] = bool((photo or locked.photo) and photo_public)
        if locked.status == Wish.Status.SUBMITTED:
            for name, value in fields.items():
                setattr(locked, name, value)
            locked.save(update_fields=list(fields))
            transition_record(
                obj=locked, from_state=locked.status, to_state=locked.status, by=by, reason="edited"
            )
            return locked
        moved = _move(
            wish=locked,
            allowed_from={Wish.Status.CHANGES_REQUESTED},
            to=Wish.Status.SUBMITTED,
            by=by,
            **fields,
        )
        if moved.changed:
            notify(wish=moved.obj, event="submitted")
        return moved.obj


def _vetter(by: User, wish: Wish) -> None:
    if not selectors.can_vet(user=by, wish=wish):
        raise PermissionDenied


def wish_approve(
    *,
    wish: Wish,
    by: User,
    claim_days: int | None = None,
    pseudonym: str = "",
    coarse_area: str = "",
) -> Wish:
    """On the board from now on. A money wish gets its own earmarked fund.

    Four eyes: whoever posted the wish does not approve it (a colleague at the station or a
    fund administrator does). Staff may correct the public name and area here; neither may
    carry the real name or a house number.
    """
    _vetter(by, wish)
    if wish.posted_by_id == by.pk:
        raise PermissionDenied(
            _("A wish is approved by someone other than who posted it: ask a colleague.")
        )
    with transaction.atomic():
        locked = (
            Wish.objects.select_for_update(of=("self",))
            .select_related("resident__private")
            .get(pk=wish.pk)
        )
        fields: dict[str, Any] = {
            "published_at": timezone.now(),
            "pseudonym": (pseudonym or locked.pseudonym).strip(),
            "coarse_area": (coarse_area or locked.coarse_area).strip(),
        }
        _public_text_check(
            resident=locked.resident,
            pseudonym=fields["pseudonym"],
            coarse_area=fields["coarse_area"],
            title=locked.title,
            story=locked.story,
        )
        if claim_days:
            fields["claim_days"] = max(1, min(int(claim_days), 90))
        if (
            locked.kind == Wish.Kind.MONEY
            and locked.fund_id is None
            and locked.status == Wish.Status.SUBMITTED
        ):
            fields["fund"] = fund_earmark(
                purpose=Purpose(WISH_PURPOSE, locked.pk),
                code=f"wish-{locked.pk}",
                name=f"微心愿 #{locked.pk}",
                name_en=f"Micro-wish #{locked.pk}",
                target_amount=locked.target_amount,
            )
        moved = _move(
            wish=locked, allowed_from={Wish.Status.SUBMITTED}, to=Wish.Status.OPEN, by=by, **fields
        )
        if moved.changed:
            notify(wish=moved.obj, event="approved")
        return moved.obj


def wish_request_changes(*, wish: Wish, by: User, message: str) -> Wish:
    _vetter(by, wish)
    if not message.strip():
        raise ValidationError(_("Say what should change."))
    moved = _move(
        wish=wish,
        allowed_from={Wish.Status.SUBMITTED},
        to=Wish.Status.CHANGES_REQUESTED,
        by=by,
        reason=message,
        staff_message=message.strip()[:500],
    )
    if moved.changed:
        notify(wish=moved.obj, event="changes_requested")
    return moved.obj


def wish_reject(*, wish: Wish, by: User, reason: str) -> Wish:
    _vetter(by, wish)
    if not reason.strip():
        raise ValidationError(_("Give a reason."))
    moved = _move(
        wish=wish,
        allowed_from={Wish.Status.SUBMITTED, Wish.Status.CHANGES_REQUESTED},
        to=Wish.Status.REJECTED,
        by=by,
        reason=reason,
        staff_message=reason.strip()[:500],
    )
    if moved.changed:
        notify(wish=moved.obj, event="rejected")
    return moved.obj


def wish_mark_delivered(*, wish: Wish, by: User) -> Wish:
    """The station's worker or the claiming donor says it was handed over."""
    from donations.selectors import donors_for_user

    with transaction.atomic():
        locked = Wish.objects.select_for_update().get(pk=wish.pk)
        claim = locked.claims.filter(status=Claim.Status.ACTIVE).first()
        is_claimer = (
            claim is not None and donors_for_user(user=by).filter(pk=claim.donor_id).exists()
        )
        if not (selectors.can_vet(user=by, wish=locked) or is_claimer):
            raise PermissionDenied
        moved = _move(
            wish=locked,
            allowed_from={Wish.Status.CLAIMED, Wish.Status.FUNDED},
            to=Wish.Status.DELIVERED,
            by=by,
        )
        if claim is not None:
            transition(
                claim,
                to=Claim.Status.DELIVERED,
                allowed_from={Claim.Status.ACTIVE},
                by=by,
                closed_at=timezone.now(),
            )
        if moved.changed:
            notify(wish=moved.obj, event="delivered")
        return moved.obj


def wish_fulfil(
    *, wish: Wish, by: User, thank_you_note: str = "", photo: str = "", photo_public: bool = False
) -> Wish:
    """The worker has confirmed with the resident; their thank-you note may go on the board."""
    _vetter(by, wish)
    private = getattr(wish.resident, "private", None)
    warnings = note_warnings(
        note=thank_you_note,
        real_name=private.real_name if private is not None else "",
        phone=private.phone if private is not None else "",
        address=private.address if private is not None else "",
    )
    if warnings:
        raise ValidationError(warnings)
    moved = _move(
        wish=wish,
        allowed_from={Wish.Status.DELIVERED},
        to=Wish.Status.FULFILLED,
        by=by,
        thank_you_note=thank_you_note.strip()[:1000],
        thank_you_photo=photo,
        thank_you_photo_public=bool(photo and photo_public),
        fulfilled_at=timezone.now(),
    )
    if moved.changed:
        notify(wish=moved.obj, event="fulfilled")
    return moved.obj


def wish_withdraw(*, wish: Wish, by: User, reason: str = "") -> Wish:
    if not selectors.wishes_for_user(user=by).filter(pk=wish.pk).exists():
        raise PermissionDenied
    with transaction.atomic():
        locked = Wish.objects.select_for_update().get(pk=wish.pk)
        if locked.committed_amount > 0:
            raise IllegalMove(
                _("Money has been given to this wish; ask the fund office to close it.")
            )
        return _move(
            wish=locked,
            allowed_from={Wish.Status.SUBMITTED, Wish.Status.CHANGES_REQUESTED, Wish.Status.OPEN},
            to=Wish.Status.WITHDRAWN,
            by=by,
            reason=reason,
        ).obj

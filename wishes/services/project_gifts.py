"""Chip in to a whole charity project (微公益) with one payment.

A company gives one amount; it is shared over the project's open money wishes, those closest
to their target first (so as many wishes as possible come true), each share held on its wish
exactly as a chip-in is (``committed_amount``, under the wish's lock, never past the target).
The payment goes into the project's earmarked fund; in the same transaction one ledger entry
moves each share on to its wish's fund, and each wish then moves on by itself.

Locks are always taken wish by wish in id order, then the gift, as everywhere a wish is held.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Organisation, User
from charity.models import Account, Fund, LedgerEntry
from charity.purposes import Purpose
from charity.services import Leg, account_get, entry_post, fund_earmark, memo_text
from core.money import quantize
from core.transitions import transition, transition_record
from donations.models import CheckoutSession, Pledge
from donations.services import pledges as pledge_services
from wishes.models import PROJECT_GIFT_PURPOSE, Campaign, ProjectGift, ProjectShare, Wish
from wishes.services.chipins import (
    HOLD,
    AmountChanged,
    _reserve,
    _unreserve,
    wish_mark_funded_if_complete,
)


def _open_money_wishes(campaign: Campaign, *, lock: bool = False, exclude_user: User | None = None):  # type: ignore[no-untyped-def]
    wishes = Wish.objects.filter(
        campaign=campaign, status=Wish.Status.OPEN, kind=Wish.Kind.MONEY, fund__isnull=False
    ).order_by("pk")
    if exclude_user is not None:
        wishes = wishes.exclude(resident__user=exclude_user)
    if lock:
        wishes = wishes.select_for_update(of=("self",))
    return list(wishes)


def _needed(wishes: list[Wish]) -> Decimal:
    return sum((max(Decimal(0), w.remaining) for w in wishes), Decimal(0))


def project_needed(*, campaign: Campaign, by: User | None = None) -> Decimal:
    """What the project's money wishes still need, all together (a resident's own wishes
    left out for them)."""
    return _needed(_open_money_wishes(campaign, exclude_user=by))


def project_gift_quote(*, amount: Decimal, needed: Decimal) -> Decimal:
    """What a donor would actually give: never more than the wishes still need."""
    return max(Decimal(0), min(quantize(amount), needed))


def project_shares_plan(*, wishes: list[Wish], amount: Decimal) -> list[tuple[Wish, Decimal]]:
    """Share an amount out: the wish nearest its target first, each filled before the next.
    Why: a company's project gift should make as many wishes come true as it can."""
    plan, left = [], amount
    for wish in sorted(wishes, key=lambda w: (w.remaining, w.pk)):
        if left <= 0:
            break
        share = min(left, wish.remaining)
        if share > 0:
            plan.append((wish, share))
            left -= share
    return plan


def project_fund(campaign: Campaign) -> Fund:
    return fund_earmark(
        purpose=Purpose(PROJECT_GIFT_PURPOSE, campaign.pk),
        code=f"project-{campaign.pk}",
        name=f"微公益项目 #{campaign.pk}",
        name_en=f"Charity project #{campaign.pk}",
        target_amount=None,
    )


def project_gift_start(
    *,
    campaign: Campaign,
    by: User,
    organisation: Organisation | None,
    amount: Decimal,
    show_name: bool,
) -> ProjectGift:
    """Hold exactly the amount the donor confirmed over the project's wishes and create its
    pledge; the caller then opens its Stripe Checkout. If less is needed by now, nothing is
    held and AmountChanged says how much: nobody is charged what they did not confirm."""
    amount = quantize(amount)
    if amount < Decimal("1"):
        raise ValidationError(_("Give at least ¥1."))
    with transaction.atomic():
        wishes = _open_money_wishes(campaign, lock=True, exclude_user=by)
        needed = _needed(wishes)
        if needed <= 0:
            raise ValidationError(_("The project's wishes need no money just now."))
        if ProjectGift.objects.filter(
            campaign=campaign, status=ProjectGift.Status.HELD, pledge__created_by=by
        ).exists():
            raise ValidationError(_("You already have a payment in progress for this project."))
        if amount > needed:
            raise AmountChanged(needed)
        plan = project_shares_plan(wishes=wishes, amount=amount)
        for wish, share in plan:
            if not _reserve(wish.pk, share):
                raise AmountChanged(needed)  # cannot happen under the locks; the last guard
        pledge = pledge_services.pledge_create(
            user=by,
            organisation=organisation,
            kind=Pledge.Kind.MONEY,
            fund=project_fund(campaign),
            show_name=show_name,
            amount=amount,
            purpose=Purpose(PROJECT_GIFT_PURPOSE, campaign.pk),
        )
        gift = ProjectGift.objects.create(
            campaign=campaign, pledge=pledge, amount=amount, expires_at=timezone.now() + HOLD
        )
        ProjectShare.objects.bulk_create(
            ProjectShare(gift=gift, wish=wish, amount=share) for wish, share in plan
        )
        transition_record(obj=gift, from_state="", to_state=gift.status, by=by)
        return gift


def project_gift_checkout_open(
    *, gift: ProjectGift, success_url: str, cancel_url: str
) -> CheckoutSession:
    """The gift's one Stripe Checkout; the holds then last exactly as long as it."""
    checkout = pledge_services.checkout_start(
        pledge=gift.pledge, success_url=success_url, cancel_url=cancel_url
    )
    ProjectGift.objects.filter(pk=gift.pk, status=ProjectGift.Status.HELD).update(
        expires_at=checkout.expires_at
    )
    return checkout


def _lock(pledge_id: int) -> tuple[ProjectGift, list[ProjectShare]]:
    """The gift's wishes first (id order), then the gift."""
    gift_id = ProjectGift.objects.values_list("pk", flat=True).get(pledge_id=pledge_id)
    shares = list(ProjectShare.objects.filter(gift_id=gift_id).order_by("wish_id"))
    list(Wish.objects.select_for_update().filter(pk__in=[s.wish_id for s in shares]).order_by("pk"))
    return ProjectGift.objects.select_for_update().get(pk=gift_id), shares


def project_gift_release(*, pledge_id: int, reason: str) -> ProjectGift:
    """The checkout lapsed or failed: every share is free again. A repeat does nothing."""
    with transaction.atomic():
        gift, shares = _lock(pledge_id)
        if gift.status != ProjectGift.Status.HELD:
            return gift
        for share in shares:
            _unreserve(share.wish_id, share.amount)
        return transition(
            gift,
            to=ProjectGift.Status.RELEASED,
            allowed_from={ProjectGift.Status.HELD},
            reason=reason,
        ).obj


def project_gifts_release_expired() -> int:
    """Beat: release holds whose checkout lifetime is over (if Stripe's event never came)."""
    count = 0
    for gift in ProjectGift.objects.filter(
        status=ProjectGift.Status.HELD, expires_at__lte=timezone.now()
    ):
        released = project_gift_release(pledge_id=gift.pledge_id, reason="hold expired")
        count += released.status == ProjectGift.Status.RELEASED
    return count


def project_gift_settle(*, pledge_id: int) -> Fund | None:
    """Money arrived: the gift is paid and its fund credited. If its holds had lapsed, they
    are taken again only if every share still fits; otherwise None, and the payment goes to the
    general pool (or back to the donor) as a wish's overflow does."""
    with transaction.atomic():
        gift, shares = _lock(pledge_id)
        taken = gift.status == ProjectGift.Status.HELD or (
            gift.status == ProjectGift.Status.RELEASED and _reserve_all(shares)
        )
        if not taken:
            transition_record(
                obj=gift, from_state=gift.status, to_state=gift.status, reason="overflow"
            )
            return None
        transition(
            gift,
            to=ProjectGift.Status.PAID,
            allowed_from={ProjectGift.Status.HELD, ProjectGift.Status.RELEASED},
        )
        return project_fund(gift.campaign)


def _reserve_all(shares: list[ProjectShare]) -> bool:
    open_ids = set(
        Wish.objects.filter(
            pk__in=[s.wish_id for s in shares], status=Wish.Status.OPEN
        ).values_list("pk", flat=True)
    )
    try:
        with transaction.atomic():
            for share in shares:
                if share.wish_id not in open_ids or not _reserve(share.wish_id, share.amount):
                    raise ValidationError("no longer fits")
    except ValidationError:
        return False
    return True


def project_gifts_share_out(*, campaign_id: int) -> int:
    """Paid gifts not yet shared out move on to their wishes' funds, one entry per gift (its
    reference makes a repeat a no-op), and each wish is marked funded when it has its target."""
    moved = 0
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
        fund = project_fund(campaign)
        for gift in ProjectGift.objects.filter(
            campaign=campaign, status=ProjectGift.Status.PAID, entry__isnull=True
        ):
            shares = list(gift.shares.select_related("wish__fund").order_by("wish_id"))
            gift.entry = entry_post(
                kind=LedgerEntry.Kind.TRANSFER,
                memo=memo_text(
                    gettext_noop("Gift to charity project #%(project)s shared among %(n)s wishes"),
                    project=campaign.pk,
                    n=len(shares),
                ),
                legs=[
                    Leg(account_get(kind=Account.Kind.FUND, fund=fund), gift.amount),
                    *(
                        Leg(account_get(kind=Account.Kind.FUND, fund=s.wish.fund), -s.amount)
                        for s in shares
                    ),
                ],
                reference=f"project-gift:{gift.pk}",
            )
            gift.save(update_fields=["entry"])
            for share in shares:
                wish_mark_funded_if_complete(wish_id=share.wish_id)
            moved += 1
    return moved


def project_overflow_handle(*, pledge_id: int, donation_id: int) -> None:
    """A project gift whose wishes no longer needed it was booked to the pool: refund it if the
    fund says so, and tell the donor either way."""
    from donations import tasks
    from donations.models import Donation
    from wishes.services.notify import project_overflow_notice_send

    pledge = Pledge.objects.select_related("created_by").get(pk=pledge_id)
    donation = Donation.objects.get(pk=donation_id)
    campaign = ProjectGift.objects.select_related("campaign").get(pledge_id=pledge_id).campaign
    refunded = getattr(settings, "WISHPOOL_WISH_OVERFLOW", "pool") == "refund"
    if refunded:
        transaction.on_commit(lambda: tasks.refund_overflow.delay(donation_id))
    transaction.on_commit(
        lambda: project_overflow_notice_send(
            user=pledge.created_by, campaign=campaign, amount=donation.amount, refunded=refunded
        )
    )


def project_refund_check() -> None:
    """Why a project gift is not refunded as one: its money now sits in many wishes' funds."""
    raise ValidationError(
        _(
            "A gift to a whole project was shared among its wishes; "
            "refunds are made from those wishes by the fund office."
        )
    )

"""Every allowed move of a wish, every illegal one refused, repeats quiet."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.models import Transition
from tests.accounts import factories as f
from tests.wishes import factories as wf
from wishes.models import Claim, Wish
from wishes.services import claims, lifecycle
from wishes.services.lifecycle import IllegalMove

pytestmark = pytest.mark.django_db


def test_resident_posts_own_wish_and_worker_posts_for_a_resident():
    worker = f.worker()
    resident = f.resident(by=worker)
    person = f.UserFactory(kind="resident")
    from accounts import services

    services.resident_link_user(worker=worker, resident=resident, email=person.email)
    own = wf.wish(worker=person, resident=resident, approve=False, consent="phone")
    assert own.consent == Wish.Consent.SELF and own.status == Wish.Status.SUBMITTED
    other = wf.wish(worker=worker, approve=False)
    assert other.consent == Wish.Consent.IN_PERSON and other.posted_by == worker
    assert other.pseudonym == other.resident.pseudonym


def test_worker_must_record_consent_and_may_only_post_for_own_station():
    worker = f.worker()
    with pytest.raises(ValidationError):
        wf.wish(worker=worker, approve=False, consent="self")
    stranger = f.worker(f.station("别站"))
    with pytest.raises(PermissionDenied):
        wf.wish(worker=stranger, resident=f.resident(by=worker), approve=False)


@pytest.mark.parametrize(
    "bad",
    [
        {"kind": "item", "quantity": None},
        {"kind": "money", "target_amount": None},
        {"needed_by": timezone.localdate() - timedelta(days=1)},
        {"category": "weapons"},
    ],
)
def test_bad_wishes_are_refused_and_nothing_is_saved(bad):
    before = Wish.objects.count()
    with pytest.raises(ValidationError):
        wf.wish(approve=False, **bad)
    assert Wish.objects.count() == before


def test_vetting_moves_and_repeat():
    worker = f.worker()
    wish = wf.wish(worker=worker, approve=False)
    changed = lifecycle.wish_request_changes(wish=wish, by=worker, message="请写明尺寸")
    assert changed.status == Wish.Status.CHANGES_REQUESTED and changed.staff_message == "请写明尺寸"
    other = wf.colleague(worker)
    with pytest.raises(IllegalMove):
        lifecycle.wish_approve(wish=wish, by=other)  # must be resubmitted first
    again = lifecycle.wish_resubmit(
        wish=wish,
        by=worker,
        title="一台 16 寸电风扇",
        story="夏天太热。",
        needed_by=timezone.localdate() + timedelta(days=9),
    )
    assert again.status == Wish.Status.SUBMITTED and again.staff_message == ""
    with pytest.raises(PermissionDenied):  # whoever posted it does not approve it
        lifecycle.wish_approve(wish=wish, by=worker)
    approved = lifecycle.wish_approve(wish=wish, by=other)
    assert approved.status == Wish.Status.OPEN and approved.published_at
    assert lifecycle.wish_approve(wish=wish, by=other).status == Wish.Status.OPEN  # repeat: quiet
    history = list(
        Transition.objects.filter(object_type="wishes.wish", object_id=str(wish.pk)).values_list(
            "to_state", flat=True
        )
    )
    assert history == ["submitted", "changes_requested", "submitted", "open"]
    with pytest.raises(IllegalMove):
        lifecycle.wish_reject(wish=wish, by=worker, reason="x")


def test_reject_needs_a_reason_and_is_final():
    worker = f.worker()
    wish = wf.wish(worker=worker, approve=False)
    with pytest.raises(ValidationError):
        lifecycle.wish_reject(wish=wish, by=worker, reason=" ")
    lifecycle.wish_reject(wish=wish, by=worker, reason="超出范围")
    for move in (
        lambda: lifecycle.wish_approve(wish=wish, by=wf.colleague(worker)),
        lambda: lifecycle.wish_request_changes(wish=wish, by=worker, message="x"),
    ):
        with pytest.raises(IllegalMove):
            move()


def test_only_staff_of_the_station_vet():
    wish = wf.wish(approve=False)
    for outsider in (f.worker(f.station("别站")), f.UserFactory()):
        with pytest.raises(PermissionDenied):
            lifecycle.wish_approve(wish=wish, by=outsider)
    assert lifecycle.wish_approve(wish=wish, by=f.fund_administrator()).status == Wish.Status.OPEN


def test_claim_deliver_fulfil():
    worker = f.worker()
    wish = wf.wish(worker=worker)
    donor, org = wf.member()
    claim = claims.claim_create(wish=wish, by=donor, organisation=org, show_name=True)
    wish.refresh_from_db()
    assert wish.status == Wish.Status.CLAIMED and claim.deadline > timezone.now() + timedelta(
        days=13
    )
    with pytest.raises(ValidationError):
        claims.claim_create(wish=wish, by=donor, organisation=org, show_name=True)
    with pytest.raises(IllegalMove):
        lifecycle.wish_fulfil(wish=wish, by=worker)  # not delivered yet
    stranger, _ = wf.member()
    with pytest.raises(PermissionDenied):
        lifecycle.wish_mark_delivered(wish=wish, by=stranger)
    lifecycle.wish_mark_delivered(wish=wish, by=donor)
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.DELIVERED
    done = lifecycle.wish_fulfil(wish=wish, by=worker, thank_you_note="谢谢！")
    assert done.status == Wish.Status.FULFILLED and done.thank_you_note == "谢谢！"
    assert lifecycle.wish_fulfil(wish=wish, by=worker).status == Wish.Status.FULFILLED
    with pytest.raises(IllegalMove):
        lifecycle.wish_mark_delivered(wish=wish, by=worker)


def test_money_wishes_are_not_claimed_whole_and_get_their_own_fund():
    wish = wf.wish(kind="money")
    assert wish.fund is not None and wish.fund.kind == "earmarked" and not wish.fund.is_published
    assert (wish.fund.purpose_key, wish.fund.purpose_id) == ("wish", wish.pk)
    donor, org = wf.member()
    with pytest.raises(ValidationError):
        claims.claim_create(wish=wish, by=donor, organisation=org, show_name=True)


def test_withdraw_before_any_money():
    worker = f.worker()
    wish = wf.wish(worker=worker)
    assert lifecycle.wish_withdraw(wish=wish, by=worker).status == Wish.Status.WITHDRAWN

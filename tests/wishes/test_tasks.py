"""Beat jobs run twice with one effect."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.wishes import factories as wf
from wishes import tasks
from wishes.models import Claim, Wish
from wishes.services import claims

pytestmark = pytest.mark.django_db


def test_lapse_runs_twice_with_one_effect(mailoutbox, django_capture_on_commit_callbacks):
    wish = wf.wish()
    donor, org = wf.member()
    claim = claims.claim_create(wish=wish, by=donor, organisation=org, show_name=True)
    Claim.objects.filter(pk=claim.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.lapse_claims() == 1
        assert tasks.lapse_claims() == 0
    claim.refresh_from_db()
    wish.refresh_from_db()
    assert claim.status == Claim.Status.LAPSED and wish.status == Wish.Status.OPEN
    lapse_mails = [m for m in mailoutbox if donor.email in m.to]
    assert len(lapse_mails) == 1
    # and the wish can be claimed again
    other, other_org = wf.member()
    assert (
        claims.claim_create(wish=wish, by=other, organisation=other_org, show_name=False).status
        == "active"
    )


def test_reminder_two_days_before_once(mailoutbox, django_capture_on_commit_callbacks):
    wish = wf.wish()
    donor, org = wf.member()
    claim = claims.claim_create(wish=wish, by=donor, organisation=org, show_name=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.remind_claims() == 0  # 14 days left: too early
    Claim.objects.filter(pk=claim.pk).update(deadline=timezone.now() + timedelta(days=1, hours=12))
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.remind_claims() == 1
        assert tasks.remind_claims() == 0
    assert len([m for m in mailoutbox if donor.email in m.to]) == 1


def test_expired_holds_are_released_once():
    from decimal import Decimal

    from wishes.models import ChipIn
    from wishes.services import chipins

    wish = wf.wish(kind="money")
    donor, org = wf.member()
    chipin = chipins.chipin_start(
        wish=wish, by=donor, organisation=org, amount=Decimal("40"), show_name=True
    )
    wish.refresh_from_db()
    assert wish.committed_amount == Decimal("40.00")
    ChipIn.objects.filter(pk=chipin.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert tasks.release_expired_holds() == 1
    assert tasks.release_expired_holds() == 0
    wish.refresh_from_db()
    assert wish.committed_amount == 0


def test_notices_go_to_the_worker_when_the_resident_has_no_account(
    mailoutbox, django_capture_on_commit_callbacks
):
    from tests.accounts import factories as f
    from wishes.services import lifecycle

    worker = f.worker()
    with django_capture_on_commit_callbacks(execute=True):
        wish = wf.wish(worker=worker, approve=False)
        lifecycle.wish_request_changes(wish=wish, by=worker, message="请补充")
    assert any(worker.email in m.to and "请补充" in m.body for m in mailoutbox)


def test_station_staff_are_told_when_a_wish_waits_for_review(
    mailoutbox, django_capture_on_commit_callbacks
):
    from tests.accounts import factories as f

    poster = f.worker()
    colleague = f.worker(poster.station)
    with django_capture_on_commit_callbacks(execute=True):
        wf.wish(worker=poster, approve=False, title="需要审核的心愿")
    assert any(colleague.email in m.to and "需要审核的心愿" in m.body for m in mailoutbox)
    assert not any(poster.email in m.to for m in mailoutbox)

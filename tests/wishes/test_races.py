"""Scarce things under real concurrency on PostgreSQL: 20 threads, many rounds."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from tests.accounts import factories as f
from tests.wishes import factories as wf
from wishes.models import ChipIn, Claim, Wish
from wishes.services import chipins, claims

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 20
ROUNDS = 5


def _run(n: int, target) -> list[BaseException]:  # type: ignore[no-untyped-def]
    barrier = threading.Barrier(n)
    errors: list[BaseException] = []

    def body(i: int) -> None:
        try:
            barrier.wait()
            target(i)
        except ValidationError:
            pass  # refused: the expected outcome for all but the winners
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=body, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_twenty_donors_claiming_at_once_leave_exactly_one_claim():
    members = [wf.member() for _ in range(THREADS)]
    for _ in range(ROUNDS):
        wish = wf.wish()
        errors = _run(
            THREADS,
            lambda i: claims.claim_create(
                wish=wish, by=members[i][0], organisation=members[i][1], show_name=True
            ),
        )
        assert not errors, errors
        assert Claim.objects.filter(wish=wish).count() == 1
        wish.refresh_from_db()
        assert wish.status == Wish.Status.CLAIMED


def test_twenty_chip_ins_at_once_never_overfund():
    members = [wf.member() for _ in range(THREADS)]
    for round_ in range(ROUNDS):
        target = Decimal(100 + 7 * round_)
        wish = wf.wish(kind="money", target_amount=target)
        errors = _run(
            THREADS,
            lambda i: chipins.chipin_start(
                wish=wish,
                by=members[i][0],
                organisation=members[i][1],
                amount=Decimal("30"),
                show_name=True,
            ),
        )
        assert not errors, errors
        wish.refresh_from_db()
        held = sum(ChipIn.objects.filter(wish=wish).values_list("amount", flat=True))
        # each holds exactly what it confirmed (never a cut amount), never more than the target
        fits = (target // 30) * 30
        assert wish.committed_amount == held == fits
        assert set(ChipIn.objects.filter(wish=wish).values_list("amount", flat=True)) == {
            Decimal("30.00")
        }
        # the rest, confirmed exactly, fills the target to the yuan
        if target - fits:
            member, org = wf.member()
            chipins.chipin_start(
                wish=wish, by=member, organisation=org, amount=target - fits, show_name=True
            )
            wish.refresh_from_db()
            assert wish.committed_amount == target
        # and releasing them concurrently gives everything back exactly
        holds = list(ChipIn.objects.filter(wish=wish))
        errors = _run(
            len(holds), lambda i: chipins.chipin_release(chipin=holds[i], reason="expired")
        )
        assert not errors, errors
        wish.refresh_from_db()
        assert wish.committed_amount == 0


def test_the_database_itself_refuses_overfunding():
    from django.db import IntegrityError, transaction
    from django.db.models import F

    wish = wf.wish(kind="money", target_amount=Decimal("50"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Wish.objects.filter(pk=wish.pk).update(committed_amount=F("target_amount") + 1)
    member, org = wf.member()
    first = wf.wish()
    claims.claim_create(wish=first, by=member, organisation=org, show_name=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        from donations.services.donors import donor_for_organisation

        Claim.objects.create(
            wish=first,
            donor=donor_for_organisation(organisation=org),
            claimed_by=member,
            deadline=first.created_at,
        )


@pytest.mark.django_db
def test_one_payment_in_progress_per_person_per_wish():
    wish = wf.wish(kind="money", target_amount=Decimal("100"))
    user, org = wf.member()
    chipins.chipin_start(wish=wish, by=user, organisation=org, amount=Decimal("10"), show_name=True)
    with pytest.raises(ValidationError):
        chipins.chipin_start(
            wish=wish, by=user, organisation=org, amount=Decimal("10"), show_name=True
        )
    wish.refresh_from_db()
    assert wish.committed_amount == Decimal("10.00")


def test_twenty_workers_allocating_the_last_units_of_a_lot_at_once():
    """Ten power strips left, twenty wishes filled at the same moment: ten get one each, the
    others a clear refusal; the lot ends at zero, never below, and the books match."""
    from django.db.models import Sum

    from charity.models import LedgerLeg
    from tests.wishes.test_from_stock import TITLE, power_strips
    from wishes.models import StockFill
    from wishes.services import stock

    lot, _ = power_strips(10)
    admin = f.fund_administrator()
    wishes = [wf.wish(title=TITLE) for _ in range(THREADS)]
    refusals: list[str] = []

    def fill(i: int) -> None:
        try:
            stock.wish_fill_from_stock(wish=wishes[i], lot=lot, by=admin)
        except ValidationError as exc:
            refusals.append(" ".join(exc.messages))
            raise

    errors = _run(THREADS, fill)
    assert not errors, errors
    lot.refresh_from_db()
    assert lot.quantity_on_hand == 0
    assert StockFill.objects.filter(lot=lot).count() == 10 and len(refusals) == 10
    assert all("0" in reason for reason in refusals)  # "Only 0 of these goods are on hand."
    assert Wish.objects.filter(status=Wish.Status.CLAIMED).count() == 10
    assert LedgerLeg.objects.aggregate(total=Sum("amount"))["total"] == 0
    given = LedgerLeg.objects.filter(
        entry__reference__startswith="wish-stock:", amount__gt=0
    ).aggregate(total=Sum("amount"))["total"]
    assert given == Decimal("300.00")  # 10 × ¥30

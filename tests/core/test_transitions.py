"""The one transition helper: moves once, refuses illegal moves, is quiet on a repeat, and
writes history in the same transaction."""

from decimal import Decimal

import pytest
from django.db import transaction

from charity.selectors import fund_general
from core.models import Transition
from core.transitions import IllegalMove, history_for, transition
from donations.models import Pledge
from donations.services import pledges
from tests.accounts import factories as f

pytestmark = pytest.mark.django_db


def _pledge() -> Pledge:
    user = f.UserFactory()
    return pledges.pledge_create(
        user=user,
        organisation=None,
        kind="money",
        fund=fund_general(),
        show_name=False,
        amount=Decimal("10"),
    )


def test_a_move_happens_once_with_history_and_a_repeat_is_quiet():
    pledge, admin = _pledge(), f.fund_administrator()
    moved = transition(pledge, to="paid", allowed_from={"pending"}, by=admin, reason="paid")
    assert moved.changed and moved.obj.status == "paid"
    again = transition(pledge, to="paid", allowed_from={"pending"}, by=admin)
    assert not again.changed
    rows = list(history_for(pledge).values_list("from_state", "to_state", "by_id", "reason"))
    assert rows == [
        ("", "pending", pledge.created_by_id, ""),
        ("pending", "paid", admin.pk, "paid"),
    ]


def test_an_illegal_move_is_refused_and_changes_nothing():
    pledge = _pledge()
    before = Transition.objects.count()
    with pytest.raises(IllegalMove):
        transition(pledge, to="cancelled", allowed_from={"active"})
    pledge.refresh_from_db()
    assert pledge.status == "pending" and Transition.objects.count() == before


def test_no_state_without_its_history():
    """If the caller's transaction fails after the move, the move and its history go together."""
    pledge = _pledge()
    with pytest.raises(RuntimeError), transaction.atomic():
        transition(pledge, to="expired", allowed_from={"pending"})
        raise RuntimeError
    pledge.refresh_from_db()
    assert pledge.status == "pending"
    assert not history_for(pledge).filter(to_state="expired").exists()


def test_a_caller_holding_the_lock_moves_without_reading_the_row_again(
    django_assert_num_queries,
):
    pledge = _pledge()
    with transaction.atomic():
        locked = Pledge.objects.select_for_update().get(pk=pledge.pk)
        with django_assert_num_queries(2):  # the update and its history, no read
            moved = transition(locked, to="paid", allowed_from={"pending"}, locked=True)
        assert moved.changed and moved.obj is locked
        with django_assert_num_queries(0):
            assert not transition(locked, to="paid", allowed_from={"pending"}, locked=True).changed
        with pytest.raises(IllegalMove), django_assert_num_queries(0):
            transition(locked, to="cancelled", allowed_from={"active"}, locked=True)
    pledge.refresh_from_db()
    assert pledge.status == "paid"
    assert list(history_for(pledge).values_list("to_state", flat=True)) == ["pending", "paid"]


@pytest.mark.django_db(transaction=True)
def test_locked_is_refused_outside_the_transaction_that_locked():
    pledge = _pledge()
    with pytest.raises(RuntimeError):
        transition(pledge, to="paid", allowed_from={"pending"}, locked=True)
    pledge.refresh_from_db()
    assert pledge.status == "pending"

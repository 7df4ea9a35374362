"""The ledger's rules, in the posting service and (on PostgreSQL) in the database itself."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, InternalError, connection, transaction

from charity import selectors
from charity.models import Account, LedgerEntry, LedgerLeg
from charity.selectors import fund_general
from charity.services import (
    LedgerError,
    Leg,
    account_get,
    accounts_get,
    entry_post,
    entry_reverse,
)

pytestmark = pytest.mark.django_db


def _accounts():
    general = fund_general()
    return account_get(kind=Account.Kind.BANK), account_get(kind=Account.Kind.FUND, fund=general)


def test_balanced_entry_is_posted_and_moves_the_fund():
    bank, pool = _accounts()
    before = {row["fund"].code: row["balance"] for row in selectors.fund_balances()}["general"]
    entry_post(
        kind="offline_income",
        memo="bank transfer",
        legs=[Leg(bank, Decimal("500")), Leg(pool, Decimal("-500"))],
    )
    after = {row["fund"].code: row["balance"] for row in selectors.fund_balances()}["general"]
    assert after - before == Decimal("500.00")


def test_several_accounts_are_read_at_once_in_the_order_asked(django_assert_num_queries):
    general = fund_general()
    bank = account_get(kind=Account.Kind.BANK)
    wanted = [
        (Account.Kind.FUND, general, "CNY"),
        (Account.Kind.BANK, None, "CNY"),
        (Account.Kind.STRIPE_FEES, general, "USD"),
    ]
    fund, bank_again, fees = accounts_get(wanted=wanted)
    assert bank_again == bank
    assert (fund.kind, fund.fund, fund.currency) == (Account.Kind.FUND, general, "CNY")
    assert (fees.kind, fees.fund, fees.currency) == (Account.Kind.STRIPE_FEES, general, "USD")
    with django_assert_num_queries(1):  # all of them exist now: one read
        assert accounts_get(wanted=wanted) == [fund, bank, fees]


@pytest.mark.parametrize(
    "amounts",
    [[Decimal("10"), Decimal("-9.99")], [Decimal("10")], [Decimal("0"), Decimal("0")]],
)
def test_service_refuses_unbalanced_short_or_zero_entries(amounts):
    bank, pool = _accounts()
    legs = [Leg(bank if i == 0 else pool, a) for i, a in enumerate(amounts)]
    count = LedgerEntry.objects.count()
    with pytest.raises(LedgerError):
        entry_post(kind="adjustment", memo="bad", legs=legs)
    assert LedgerEntry.objects.count() == count


def test_balance_is_per_currency():
    bank, pool = _accounts()
    hkd = account_get(kind=Account.Kind.STRIPE_CLEARING, currency="HKD")
    with pytest.raises(LedgerError):
        entry_post(
            kind="adjustment",
            memo="mixed",
            legs=[Leg(hkd, Decimal("100")), Leg(pool, Decimal("-100"))],
        )


def test_same_reference_posts_once():
    bank, pool = _accounts()
    legs = [Leg(bank, Decimal("1")), Leg(pool, Decimal("-1"))]
    first = entry_post(kind="adjustment", memo="x", legs=legs, reference="ref-1")
    again = entry_post(kind="adjustment", memo="x", legs=legs, reference="ref-1")
    assert first.pk == again.pk and LedgerEntry.objects.filter(reference="ref-1").count() == 1


def test_reversal_negates_every_leg_once():
    bank, pool = _accounts()
    entry = entry_post(
        kind="adjustment", memo="x", legs=[Leg(bank, Decimal("7")), Leg(pool, Decimal("-7"))]
    )
    reversal = entry_reverse(entry=entry, memo="undo")
    assert entry_reverse(entry=entry, memo="undo again").pk == reversal.pk
    assert sorted(reversal.legs.values_list("amount", flat=True)) == [
        Decimal("-7.00"),
        Decimal("7.00"),
    ]
    assert sum(LedgerLeg.objects.filter(account=bank).values_list("amount", flat=True)) == 0


# --- the database's own guards (PostgreSQL) ---------------------------------------------


def _raw_entry(cursor) -> int:
    cursor.execute(
        "INSERT INTO charity_ledgerentry (kind, memo, posted_at) VALUES ('adjustment', 'raw', now()) RETURNING id"
    )
    return cursor.fetchone()[0]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_database_refuses_an_unbalanced_entry_at_commit():
    bank, pool = _accounts()
    with pytest.raises((IntegrityError, InternalError), match="does not balance"):
        with transaction.atomic(), connection.cursor() as cursor:
            eid = _raw_entry(cursor)
            cursor.execute(
                "INSERT INTO charity_ledgerleg (entry_id, account_id, amount, currency) VALUES (%s, %s, 10, 'CNY'), (%s, %s, -9, 'CNY')",
                [eid, bank.pk, eid, pool.pk],
            )
    assert not LedgerEntry.objects.filter(memo="raw").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_database_refuses_an_entry_without_legs():
    with pytest.raises((IntegrityError, InternalError), match="at least two"):
        with transaction.atomic(), connection.cursor() as cursor:
            _raw_entry(cursor)
    assert not LedgerEntry.objects.filter(memo="raw").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE charity_ledgerleg SET amount = amount * 2 WHERE entry_id = %s",
        "DELETE FROM charity_ledgerleg WHERE entry_id = %s",
        "UPDATE charity_ledgerentry SET memo = 'changed' WHERE id = %s",
        "DELETE FROM charity_ledgerentry WHERE id = %s",
    ],
)
def test_database_refuses_to_change_posted_rows(sql):
    bank, pool = _accounts()
    entry = entry_post(
        kind="adjustment", memo="kept", legs=[Leg(bank, Decimal("3")), Leg(pool, Decimal("-3"))]
    )
    with pytest.raises((IntegrityError, InternalError), match="cannot be changed or deleted"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    entry.refresh_from_db()
    assert entry.memo == "kept"
    assert sorted(entry.legs.values_list("amount", flat=True)) == [
        Decimal("-3.00"),
        Decimal("3.00"),
    ]

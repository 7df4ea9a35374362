"""The ledger's monthly totals: kept by the posting service in the same transaction, read by
every balance and flow, and checked against the legs by a command staff can run."""

import threading
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from charity import selectors
from charity.models import Account, Fund, LedgerMonth
from charity.selectors import fund_general
from charity.services import Leg, account_get, entry_post, entry_reverse
from charity.totals import month_of, totals_differences
from tests.accounts import factories as f


def _post(amount: str, *, kind: str = "offline_income", reference: str | None = None):  # type: ignore[no-untyped-def]
    bank = account_get(kind=Account.Kind.BANK)
    pool = account_get(kind=Account.Kind.FUND, fund=fund_general())
    value = Decimal(amount)
    return entry_post(
        kind=kind, memo="test", legs=[Leg(bank, value), Leg(pool, -value)], reference=reference
    )


def _general(**kwargs) -> Decimal:  # type: ignore[no-untyped-def]
    return {r["fund"].code: r["balance"] for r in selectors.fund_balances(**kwargs)}["general"]


@pytest.mark.django_db
def test_every_posting_lands_in_its_months_totals_and_balances_read_them():
    before = _general()
    first = _post("120.50")
    _post("79.50")
    entry_reverse(entry=first, memo="recorded in error")
    assert totals_differences() == []
    assert _general() - before == Decimal("79.50")
    month = month_of(first.posted_at)
    row = LedgerMonth.objects.get(
        account__kind="fund", account__fund=fund_general(), month=month, entry_kind="offline_income"
    )
    assert (row.debits, row.credits, row.legs) == (Decimal(0), Decimal("-200.00"), 2)
    flows = selectors.monthly_flows(months=1)
    # 200 in, 120.50 of it taken back by the reversal
    assert flows[0]["month"] == month and flows[0]["in"] == Decimal("79.50")
    # the balances really come from the totals: a total changed by hand shows, and the check
    # command finds it
    LedgerMonth.objects.filter(pk=row.pk).update(credits=row.credits - 1)
    assert _general() - before == Decimal("80.50")
    assert len(totals_differences()) == 1
    with pytest.raises(CommandError, match="1"):
        call_command("ledger_totals")
    call_command("ledger_totals", "--rebuild")
    assert totals_differences() == [] and _general() - before == Decimal("79.50")


@pytest.mark.django_db
def test_a_balance_at_a_month_start_or_inside_a_month_counts_exactly(settings):
    """A month's start is answered from the totals, any other moment from the legs, to the
    second; both agree."""
    _post("10")
    later = _post("5")
    assert _general(before=later.posted_at) == _general() - Decimal("5.00")
    local = later.posted_at.astimezone(ZoneInfo(settings.TIME_ZONE))
    start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    from_totals = _general(before=start)
    from_legs = selectors._fund_balances_from_legs(
        funds=Fund.objects.filter(code="general"),
        currency=settings.WISHPOOL_CURRENCY,
        before=start,
    )[0]["balance"]
    assert from_totals == from_legs == _general() - Decimal("15.00")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_connections_posting_at_once_keep_the_totals_exact():
    f.fund_administrator()  # the baseline's roles; the accounts are made before the threads
    _post("1")
    barrier = threading.Barrier(20)
    errors: list[BaseException] = []

    def body(i: int) -> None:
        try:
            barrier.wait()
            for n in range(5):
                _post(f"{i + 1}.{n}1")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=body, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert totals_differences() == []
    expected = sum(Decimal(f"{i + 1}.{n}1") for i in range(20) for n in range(5)) + 1
    assert _general() == expected


@pytest.mark.django_db(transaction=True)
def test_public_figures_are_kept_until_an_entry_is_posted(settings):
    """The pool's figures are read on every public page: kept per generation of the books,
    taken afresh the moment an entry commits."""
    from django.db import connection as conn
    from django.test.utils import CaptureQueriesContext

    from charity.totals import GENERATION_KEY
    from core.kept import generation

    settings.WISHPOOL_FIGURES_SECONDS = 600
    f.fund_administrator()
    _post("100")
    before = selectors.published_figures()["pool"]["balance"]
    with CaptureQueriesContext(conn) as seen:
        assert selectors.published_figures()["pool"]["balance"] == before
        selectors.published_flows()
        selectors.published_flows()
    assert len([q for q in seen.captured_queries if "ledgermonth" in q["sql"]]) == 1
    _post("25")  # commits: a new generation
    assert selectors.published_figures()["pool"]["balance"] == before + Decimal("25")
    assert _general() == before + Decimal("25")
    # a repair by hand is followed by a rebuild, which starts a new generation too
    LedgerMonth.objects.update(credits=0, debits=0)
    moved_from = generation(GENERATION_KEY)
    call_command("ledger_totals", "--rebuild")
    assert generation(GENERATION_KEY) == moved_from + 1
    assert selectors.published_figures()["pool"]["balance"] == before + Decimal("25")


@pytest.mark.django_db  # inside one transaction: no commit moves the generation on
def test_an_approval_reads_the_books_never_the_kept_figures(settings):
    """Between a commit and its new generation the kept figures are one entry behind; a
    decision about money must never read them."""
    from django.core.exceptions import ValidationError

    from charity.models import Disbursement
    from charity.services import disbursement_approve, disbursement_request

    settings.WISHPOOL_FIGURES_SECONDS = 600
    asker, approver = f.fund_administrator(), f.fund_administrator()
    general = fund_general()
    target = Fund.objects.create(code="winter", name="冬季", kind="purpose")
    _post("100")
    balance = _general()
    selectors.published_figures()  # what the public pages keep
    spent = disbursement_request(
        from_fund=general, to_fund=target, amount=balance, reason="冬衣", by=asker
    )
    disbursement_approve(disbursement_id=spent.pk, by=approver)
    kept = {r["fund"].code: r["balance"] for r in selectors.published_figures()["balances"]}
    assert kept["general"] == balance  # what the pages show is one entry behind
    assert selectors.fund_balances(fund_ids=[general.pk])[0]["balance"] == 0  # the books
    again = disbursement_request(
        from_fund=general, to_fund=target, amount=Decimal("10"), reason="再来", by=asker
    )
    with pytest.raises(ValidationError):
        disbursement_approve(disbursement_id=again.pk, by=approver)
    again.refresh_from_db()
    assert again.status == Disbursement.Status.REQUESTED and _general() == 0

"""Keeping and checking the ledger's monthly totals (``charity.LedgerMonth``).

``totals_add`` is called by ``entry_post`` inside its transaction: one upsert per entry, rows in
a fixed order (account, month, kind) so two entries touching the same accounts never deadlock.
``totals_from_legs`` recomputes everything from the legs, for the check and a rebuild.
"""

import functools
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from core.kept import generation_next, kept

T = TypeVar("T")

Key = tuple[int, date, str]  # account, month, entry kind
Totals = tuple[Decimal, Decimal, int]  # debits, credits, legs


def month_of(when: datetime) -> date:
    """The first day of ``when``'s calendar month in the fund's time zone."""
    local = timezone.localtime(when, ZoneInfo(settings.TIME_ZONE))
    return local.date().replace(day=1)


def month_start(when: datetime) -> bool:
    """Is ``when`` exactly the start of a local month (a report's period bound)?"""
    local = timezone.localtime(when, ZoneInfo(settings.TIME_ZONE))
    return (local.day, local.hour, local.minute, local.second, local.microsecond) == (1, 0, 0, 0, 0)


GENERATION_KEY = "ledger:generation"


def ledger_changed() -> None:
    """An entry was committed: every kept figure is stale (called on commit by entry_post)."""
    generation_next(GENERATION_KEY)


def figures_kept(function: Callable[..., T]) -> Callable[..., T]:
    """Balances and flows read on every public page change only when an entry is posted: the
    wrapped read is kept per generation of the books (and its keyword arguments) for
    WISHPOOL_FIGURES_SECONDS. A read as of a past moment (``before=``) is not kept."""

    @functools.wraps(function)
    def wrapper(**kwargs: Any) -> T:
        seconds = 0 if kwargs.get("before") else getattr(settings, "WISHPOOL_FIGURES_SECONDS", 600)
        return kept(
            generation_key=GENERATION_KEY,
            name=f"{function.__name__}:{sorted(kwargs.items())}",
            seconds=seconds,
            compute=lambda: function(**kwargs),
        )

    return wrapper


def totals_add(*, kind: str, posted_at: datetime, legs: Iterable[Any]) -> None:
    """Add one entry's legs (objects with ``account`` and ``amount``) to the monthly totals."""
    from charity.models import LedgerMonth

    month = month_of(posted_at)
    rows: dict[tuple[int, str], list[Decimal | int]] = {}
    for leg in legs:
        row = rows.setdefault((leg.account.pk, leg.account.currency), [Decimal(0), Decimal(0), 0])
        row[0 if leg.amount > 0 else 1] += leg.amount  # type: ignore[operator]
        row[2] += 1  # type: ignore[operator]
    table = LedgerMonth._meta.db_table
    values: list[str] = []
    params: list[Any] = []
    for (account_id, currency), (debits, credits, count) in sorted(rows.items()):
        values.append("(%s, %s, %s, %s, %s, %s, %s)")
        params += [account_id, currency, month, kind, debits, credits, count]
    # the table name is our own; every value is a parameter
    sql = (
        f"INSERT INTO {table} (account_id, currency, month, entry_kind, debits, credits, legs) "  # noqa: S608
        f"VALUES {', '.join(values)} ON CONFLICT (account_id, month, entry_kind) DO UPDATE SET "
        f"debits = {table}.debits + excluded.debits, "
        f"credits = {table}.credits + excluded.credits, legs = {table}.legs + excluded.legs"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def totals_from_legs() -> dict[Key, Totals]:
    """Every monthly total, recomputed from the legs (a full scan: for checks and rebuilds)."""
    from charity.models import LedgerLeg

    rows = (
        LedgerLeg.objects.annotate(
            month=TruncMonth("entry__posted_at", tzinfo=ZoneInfo(settings.TIME_ZONE))
        )
        .values("account_id", "month", "entry__kind")
        .annotate(
            debits=Sum("amount", filter=Q(amount__gt=0)),
            credits=Sum("amount", filter=Q(amount__lt=0)),
            legs=Count("pk"),
        )
    )
    out: dict[Key, Totals] = {}
    for r in rows:
        month = r["month"].date() if isinstance(r["month"], datetime) else r["month"]
        out[(r["account_id"], month, r["entry__kind"])] = (
            r["debits"] or Decimal(0),
            r["credits"] or Decimal(0),
            r["legs"],
        )
    return out


def totals_stored() -> dict[Key, Totals]:
    from charity.models import LedgerMonth

    return {
        (r.account_id, r.month, r.entry_kind): (r.debits, r.credits, r.legs)
        for r in LedgerMonth.objects.all()
    }


def totals_differences() -> list[dict[str, Any]]:
    """Where the stored totals differ from the legs: empty when the books agree."""
    stored, computed = totals_stored(), totals_from_legs()
    zero: Totals = (Decimal(0), Decimal(0), 0)
    return [
        {"key": key, "stored": stored.get(key, zero), "legs": computed.get(key, zero)}
        for key in sorted(set(stored) | set(computed))
        if stored.get(key, zero) != computed.get(key, zero)
    ]


def totals_rebuild() -> int:
    """Replace every monthly total by what the legs say (after a repair by hand); returns how
    many rows were written. Locks the table so no entry is posted meanwhile."""
    from charity.models import Account, LedgerMonth

    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {LedgerMonth._meta.db_table} IN EXCLUSIVE MODE")
        currencies = dict(Account.objects.values_list("pk", "currency"))
        LedgerMonth.objects.all().delete()
        by_key = totals_from_legs()
        LedgerMonth.objects.bulk_create(
            LedgerMonth(
                account_id=account_id,
                currency=currencies[account_id],
                month=month,
                entry_kind=kind,
                debits=debits,
                credits=credits,
                legs=legs,
            )
            for (account_id, month, kind), (debits, credits, legs) in by_key.items()
        )
        transaction.on_commit(ledger_changed)
        return len(by_key)

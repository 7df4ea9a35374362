"""A period's figures, read from the ledger (and the disbursements it booked): balances at
both ends of each fund, money in by kind, what left (disbursements with who approved them and
when, refunds, Stripe's fees), goods received and given out, deposits held. Days are local
(Asia/Shanghai): a period runs from the first day's midnight to the midnight after the last.

Amounts are strings in the result (exact decimals that survive JSON)."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Q, Sum
from django.utils import timezone, translation

from charity.models import Disbursement, Fund, LedgerEntry, LedgerLeg

CASH_KINDS = ("fund", "stripe_fees", "expenses", "refunds")


def bounds(start: date, end: date) -> tuple[datetime, datetime]:
    zone = timezone.get_default_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )


def _money(value: Decimal | None) -> str:
    return f"{(value or Decimal(0)):.2f}"


def _balances(before: datetime, currency: str) -> dict[int, dict[str, Decimal]]:
    rows = (
        LedgerLeg.objects.filter(currency=currency, entry__posted_at__lt=before)
        .filter(account__fund__isnull=False)
        .values("account__fund_id")
        .annotate(
            cash=Sum("amount", filter=Q(account__kind__in=CASH_KINDS)),
            goods=Sum("amount", filter=Q(account__kind="fund_in_kind")),
            deposits=Sum("amount", filter=Q(account__kind="deposits_held")),
        )
    )
    return {
        r["account__fund_id"]: {
            "cash": -(r["cash"] or Decimal(0)),
            "goods": -(r["goods"] or Decimal(0)),
            "deposits": -(r["deposits"] or Decimal(0)),
        }
        for r in rows
    }


def _both(label: Any) -> str:
    """A label in Chinese, then English: the report is read in both."""
    with translation.override("zh-hans"):
        zh = str(label)
    with translation.override("en"):
        en = str(label)
    return zh if zh == en else f"{zh} {en}"


def period_figures(*, start: date, end: date, currency: str | None = None) -> dict[str, Any]:
    currency = currency or settings.WISHPOOL_CURRENCY
    since, until = bounds(start, end)
    opening, closing = _balances(since, currency), _balances(until, currency)
    legs = LedgerLeg.objects.filter(
        currency=currency, entry__posted_at__gte=since, entry__posted_at__lt=until
    )
    money_in = (
        legs.filter(account__kind="fund", amount__lt=0)
        .exclude(entry__kind__in=(LedgerEntry.Kind.TRANSFER, LedgerEntry.Kind.REVERSAL))
        .values("entry__kind")
        .annotate(total=Sum("amount"))
        .order_by("entry__kind")
    )
    kinds = dict(LedgerEntry.Kind.choices)
    sums = legs.aggregate(
        refunds=Sum("amount", filter=Q(account__kind="refunds")),
        stripe_fees=Sum("amount", filter=Q(account__kind="stripe_fees")),
        goods_in=Sum("amount", filter=Q(account__kind="fund_in_kind", amount__lt=0)),
        goods_out=Sum("amount", filter=Q(account__kind="fund_in_kind", amount__gt=0)),
        reversed_in=Sum(
            "amount", filter=Q(account__kind="fund", amount__gt=0, entry__kind="reversal")
        ),
    )
    disbursements = list(
        Disbursement.objects.filter(
            status=Disbursement.Status.APPROVED, decided_at__gte=since, decided_at__lt=until
        )
        .select_related("from_fund", "to_fund", "requested_by", "decided_by")
        .order_by("decided_at", "pk")
    )
    funds = {f.pk: f for f in Fund.objects.filter(pk__in={*opening, *closing})}
    zero = {"cash": Decimal(0), "goods": Decimal(0), "deposits": Decimal(0)}
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "currency": currency,
        "funds": [
            {
                "code": fund.code,
                "name": fund.name,
                "name_en": fund.name_en,
                "opening": _money(opening.get(pk, zero)["cash"]),
                "closing": _money(closing.get(pk, zero)["cash"]),
                "goods_closing": _money(closing.get(pk, zero)["goods"]),
                "deposits_closing": _money(closing.get(pk, zero)["deposits"]),
            }
            for pk, fund in sorted(funds.items(), key=lambda kv: (kv[1].sort_order, kv[0]))
        ],
        "money_in": [
            {
                "kind": row["entry__kind"],
                "label": _both(kinds.get(row["entry__kind"], row["entry__kind"])),
                "amount": _money(-row["total"]),
            }
            for row in money_in
        ],
        "money_in_total": _money(-sum((row["total"] for row in money_in), Decimal(0))),
        "undone_in": _money(sums["reversed_in"]),
        "refunds": _money(sums["refunds"]),
        "stripe_fees": _money(sums["stripe_fees"]),
        "goods_in": _money(-(sums["goods_in"] or Decimal(0))),
        "goods_out": _money(sums["goods_out"]),
        "disbursements": [
            {
                "id": d.pk,
                "from": d.from_fund.name,
                "to": d.to_fund.name,  # an earmarked fund is named after its need
                "reason": d.reason,
                "amount": _money(d.amount),
                "requested_by": d.requested_by.get_full_name(),
                "approved_by": d.decided_by.get_full_name() if d.decided_by else "",
                "approved_at": timezone.localtime(d.decided_at).strftime("%Y-%m-%d %H:%M")
                if d.decided_at
                else "",
            }
            for d in disbursements
        ],
        "disbursed_total": _money(sum((d.amount for d in disbursements), Decimal(0))),
    }

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

from charity.models import Disbursement, LedgerEntry, LedgerLeg
from charity.selectors import fund_balances


def bounds(start: date, end: date) -> tuple[datetime, datetime]:
    zone = timezone.get_default_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )


def _money(value: Decimal | None) -> str:
    return f"{(value or Decimal(0)):.2f}"


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
    # the funds that held anything by the period's end, as they stood at both ends
    held = list(
        LedgerLeg.objects.filter(
            currency=currency, entry__posted_at__lt=until, account__fund__isnull=False
        )
        .values_list("account__fund_id", flat=True)
        .distinct()
    )
    opening = {
        r["fund"].pk: r for r in fund_balances(currency=currency, fund_ids=held, before=since)
    }
    closing = fund_balances(currency=currency, fund_ids=held, before=until)
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
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "currency": currency,
        "funds": [
            {
                "code": row["fund"].code,
                "name": row["fund"].name,
                "name_en": row["fund"].name_en,
                "opening": _money(opening[row["fund"].pk]["balance"]),
                "closing": _money(row["balance"]),
                "goods_closing": _money(row["in_kind"]),
                "deposits_closing": _money(row["deposits"]),
            }
            for row in closing
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

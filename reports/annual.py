"""The figures of a year (Asia/Shanghai) for the annual report: money and goods raised (by
member companies and by individuals), member companies, wishes posted and fulfilled by
category, equipment lent by type, people helped and people waiting, disbursements by purpose,
and the balance carried forward.

They are computed when an editor asks and frozen into the page's revision, so the result is
plain JSON: amounts as exact decimal strings, names in Chinese and English, categories by
key (their labels are presentation, not figures)."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Q, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from charity.models import Disbursement
from charity.selectors import fund_balances, goods_given_out
from donations.models import Donation
from lending.models import Loan, WaitlistEntry
from reports.figures import bounds
from wishes.models import Wish

# Earmarked funds named after one wish or loan are counted under their purpose.
PURPOSE_LABELS = {"wish": _("Micro-wishes"), "loan": _("Equipment loans")}

# The order of the sections and lines a reader compares between two computations.
SECTIONS = ("raised", "members", "wishes", "lending", "disbursed", "carried_forward")


def _money(value: Decimal | None) -> str:
    return f"{(value or Decimal(0)):.2f}"


def _names(label: Any) -> dict[str, str]:
    with translation.override("zh-hans"):
        zh = str(label)
    with translation.override("en"):
        en = str(label)
    return {"zh": zh, "en": en}


def annual_figures(*, year: int, currency: str | None = None) -> dict[str, Any]:
    currency = currency or settings.WISHPOOL_CURRENCY
    since, until = bounds(date(year, 1, 1), date(year, 12, 31))
    return {
        "year": year,
        "currency": currency,
        "computed_at": timezone.now().isoformat(timespec="seconds"),
        "raised": _raised(since, until, currency),
        "members": _members(since, until),
        "wishes": _wishes(since, until),
        "lending": _lending(since, until),
        "disbursed": _disbursed(since, until, currency),
        "carried_forward": _carried_forward(until, currency),
    }


def _raised(since: Any, until: Any, currency: str) -> dict[str, str]:
    """Gifts received in the year, net of what was refunded of them."""
    net = F("amount") - F("refunded_amount")
    company, goods = Q(donor__organisation__isnull=False), Q(method=Donation.Method.GOODS)
    sums = Donation.objects.filter(
        is_gift=True, currency=currency, received_at__gte=since, received_at__lt=until
    ).aggregate(
        total=Sum(net),
        companies_money=Sum(net, filter=company & ~goods),
        companies_goods=Sum(net, filter=company & goods),
        people_money=Sum(net, filter=~company & ~goods),
        people_goods=Sum(net, filter=~company & goods),
    )
    return {key: _money(value) for key, value in sums.items()}


def _members(since: Any, until: Any) -> dict[str, int]:
    gave = Donation.objects.filter(is_gift=True, received_at__gte=since, received_at__lt=until)
    return {
        "companies": Organisation.objects.filter(approved_at__lt=until).count(),
        "companies_gave": gave.filter(donor__organisation__isnull=False)
        .values("donor")
        .distinct()
        .count(),
        "people_gave": gave.filter(donor__user__isnull=False).values("donor").distinct().count(),
    }


def _wishes(since: Any, until: Any) -> dict[str, Any]:
    posted = Q(published_at__gte=since, published_at__lt=until)
    fulfilled = Q(fulfilled_at__gte=since, fulfilled_at__lt=until)
    rows = (
        Wish.objects.filter(posted | fulfilled)
        .values("category")
        .annotate(posted=Count("pk", filter=posted), fulfilled=Count("pk", filter=fulfilled))
        .order_by("category")
    )
    by_category = [
        {"key": r["category"], "posted": r["posted"], "fulfilled": r["fulfilled"]} for r in rows
    ]
    return {
        "posted": sum(r["posted"] for r in by_category),
        "fulfilled": sum(r["fulfilled"] for r in by_category),
        "by_category": by_category,
        "people_helped": Wish.objects.filter(fulfilled).values("resident").distinct().count(),
    }


def _lending(since: Any, until: Any) -> dict[str, Any]:
    lent = Loan.objects.filter(handed_out_at__gte=since, handed_out_at__lt=until)
    rows = (
        lent.values("item__type__name", "item__type__name_en", "item__type__sort_order")
        .annotate(loans=Count("pk"))
        .order_by("item__type__sort_order", "item__type__name")
    )
    return {
        "loans": lent.count(),
        "by_type": [
            {
                "name": r["item__type__name"],
                "name_en": r["item__type__name_en"],
                "loans": r["loans"],
            }
            for r in rows
        ],
        "people_helped": lent.values("resident").distinct().count(),
        # on a waiting list at the year's end: joined by then, and still in line now
        # (entries keep no end date, so one served after the year shows as still waiting)
        "waiting": WaitlistEntry.objects.filter(
            created_at__lt=until, status__in=WaitlistEntry.IN_LINE
        ).count(),
    }


def _disbursed(since: Any, until: Any, currency: str) -> dict[str, Any]:
    """Approved disbursements by what they were for (a purpose such as wishes or loans, else
    the fund they went to), and the goods given out from stock at their value."""
    rows = (
        Disbursement.objects.filter(
            status=Disbursement.Status.APPROVED, decided_at__gte=since, decided_at__lt=until
        )
        .values("to_fund__purpose_key", "to_fund__name", "to_fund__name_en")
        .annotate(amount=Sum("amount"), count=Count("pk"))
    )
    purposes: dict[str, dict[str, Any]] = {}
    for r in rows:
        key = r["to_fund__purpose_key"] or r["to_fund__name"]
        label = (
            _names(PURPOSE_LABELS[r["to_fund__purpose_key"]])
            if r["to_fund__purpose_key"] in PURPOSE_LABELS
            else {"zh": r["to_fund__name"], "en": r["to_fund__name_en"]}
        )
        line = purposes.setdefault(
            key, {"key": key, "label": label, "amount": Decimal(0), "count": 0}
        )
        line["amount"] += r["amount"]
        line["count"] += r["count"]
    ordered = sorted(purposes.values(), key=lambda line: (-line["amount"], line["key"]))
    goods_out = goods_given_out(since=since, until=until, currency=currency)
    return {
        "total": _money(sum((line["amount"] for line in ordered), Decimal(0))),
        "by_purpose": [{**line, "amount": _money(line["amount"])} for line in ordered],
        "goods_out": _money(goods_out),
    }


def _carried_forward(until: Any, currency: str) -> dict[str, Any]:
    funds = [
        row
        for row in fund_balances(currency=currency, before=until)
        if row["balance"] or row["in_kind"]
    ]
    return {
        "total": _money(sum((row["balance"] for row in funds), Decimal(0))),
        "goods": _money(sum((row["in_kind"] for row in funds), Decimal(0))),
        "funds": [
            {
                "name": row["fund"].name,
                "name_en": row["fund"].name_en,
                "balance": _money(row["balance"]),
                "goods": _money(row["in_kind"]),
            }
            for row in sorted(funds, key=lambda row: (row["fund"].sort_order, row["fund"].pk))
        ],
    }


def figures_changes(old: dict[str, Any] | None, new: dict[str, Any]) -> list[dict[str, Any]]:
    """What differs between two computations, line by line (``section.path``: old, new), so
    an editor sees what a recomputation would change before publishing it."""
    if not old:
        return []
    changes: list[dict[str, Any]] = []
    for section in SECTIONS:
        _compare(section, old.get(section), new.get(section), changes)
    return changes


def _compare(path: str, old: Any, new: Any, out: list[dict[str, Any]]) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in dict.fromkeys([*old, *new]):
            _compare(f"{path}.{key}", old.get(key), new.get(key), out)
    elif isinstance(old, list) and isinstance(new, list):
        keyed_old, keyed_new = _keyed(old), _keyed(new)
        for key in dict.fromkeys([*keyed_old, *keyed_new]):
            _compare(f"{path}[{key}]", keyed_old.get(key), keyed_new.get(key), out)
    elif old != new:
        out.append({"path": path, "old": old, "new": new})


def _keyed(rows: list[Any]) -> dict[str, Any]:
    def key(i: int, row: Any) -> str:
        if isinstance(row, dict):
            return str(row.get("key") or row.get("name") or i)
        return str(i)

    return {key(i, row): row for i, row in enumerate(rows)}

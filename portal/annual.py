"""What the annual report page and its PDF show of the frozen figures: tables (the text beside
each chart) and charts, in the page's language. Presentation only; the figures come from
reports.annual and are never recomputed here."""

import hashlib
import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from portal.charts import bar_chart
from wishes.models import Wish

if TYPE_CHECKING:
    from portal.models import AnnualReportPage


def _english() -> bool:
    return not (get_language() or "").startswith("zh")


def _name(row: dict[str, Any]) -> str:
    return str(row.get("name_en") or row["name"]) if _english() else str(row["name"])


def report_context(page: "AnnualReportPage") -> dict[str, Any]:
    f = page.figures
    if not f:
        return {"has_figures": False}
    raised, wishes, lending = f["raised"], f["wishes"], f["lending"]
    categories = dict(Wish.Category.choices)
    wish_rows = [
        (str(categories.get(r["key"], r["key"])), r["posted"], r["fulfilled"])
        for r in wishes["by_category"]
    ]
    loan_rows = [(_name(r), r["loans"]) for r in lending["by_type"]]
    purpose_rows = [
        (r["label"]["en" if _english() else "zh"], Decimal(r["amount"]), r["count"])
        for r in f["disbursed"]["by_purpose"]
    ]
    raised_rows = [
        (
            _("Member companies"),
            Decimal(raised["companies_money"]),
            Decimal(raised["companies_goods"]),
        ),
        (_("Individuals"), Decimal(raised["people_money"]), Decimal(raised["people_goods"])),
    ]
    return {
        "has_figures": True,
        "f": f,
        "raised_rows": raised_rows,
        "wish_rows": wish_rows,
        "loan_rows": loan_rows,
        "purpose_rows": purpose_rows,
        "fund_rows": [(_name(r), r["balance"], r["goods"]) for r in f["carried_forward"]["funds"]],
        "charts": _charts_cached(f, raised_rows, wish_rows, loan_rows, purpose_rows),
    }


def _charts_cached(
    f: dict[str, Any], raised_rows: Any, wish_rows: Any, loan_rows: Any, purpose_rows: Any
) -> dict[str, str]:
    """Drawing four charts costs more than the rest of the page; frozen figures draw the same
    charts every time, so they are kept per figures and language."""
    digest = hashlib.sha256(json.dumps(f, sort_keys=True).encode()).hexdigest()[:32]
    key = f"annual-charts:{digest}:{get_language()}"
    charts = cache.get(key)
    if charts is None:
        charts = _charts(raised_rows, wish_rows, loan_rows, purpose_rows)
        cache.set(key, charts, 24 * 3600)
    return charts


def _charts(raised_rows: Any, wish_rows: Any, loan_rows: Any, purpose_rows: Any) -> dict[str, str]:
    return {
        "raised": bar_chart(
            labels=[str(r[0]) for r in raised_rows],
            series=[
                (_("Money"), [r[1] for r in raised_rows]),
                (_("Goods (at value)"), [r[2] for r in raised_rows]),
            ],
            money=True,
        ),
        "wishes": bar_chart(
            labels=[r[0] for r in wish_rows],
            series=[
                (pgettext("wishes", "Posted"), [r[1] for r in wish_rows]),
                (pgettext("wishes", "Fulfilled"), [r[2] for r in wish_rows]),
            ],
            horizontal=True,
        )
        if wish_rows
        else "",
        "loans": bar_chart(
            labels=[r[0] for r in loan_rows],
            series=[(pgettext("annual report", "Loans"), [r[1] for r in loan_rows])],
            horizontal=True,
        )
        if loan_rows
        else "",
        "purposes": bar_chart(
            labels=[r[0] for r in purpose_rows],
            series=[(_("Disbursed"), [r[1] for r in purpose_rows])],
            money=True,
            horizontal=True,
        )
        if purpose_rows
        else "",
    }

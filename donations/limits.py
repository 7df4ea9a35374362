"""The sane range of every amount, quantity and date a person types about a gift.

Forms show these limits; services refuse values outside them (whoever calls); check
constraints on the models are the last guard, so no amount too large for a report, a
receipt or PostgreSQL's numeric column is ever stored.
"""

from datetime import date
from decimal import Decimal

from django.utils import timezone

MIN_AMOUNT = Decimal("1.00")
MAX_ONLINE_AMOUNT = Decimal("1000000.00")  # one gift through Stripe
MAX_OFFLINE_AMOUNT = Decimal("10000000.00")  # one bank transfer or cash gift
MAX_UNIT_VALUE = Decimal("1000000.00")  # one item of goods
MAX_QUANTITY = 100_000  # items in one goods pledge or delivery
MAX_GOODS_TOTAL = Decimal("10000000.00")  # quantity × value of one goods pledge or delivery


def goods_total_error(quantity: int, unit_value: Decimal | None) -> str | None:
    """Why a goods pledge or delivery is worth too much altogether (in the user's language)."""
    from django.utils.translation import gettext as _

    if unit_value is not None and quantity * unit_value > MAX_GOODS_TOTAL:
        return _("Goods worth at most ¥%(total)s altogether in one pledge or delivery.") % {
            "total": f"{MAX_GOODS_TOTAL:,.0f}"
        }
    return None


def earliest_received_on() -> date:
    """Offline gifts are recorded in the year they arrive or the one before, never later."""
    return date(timezone.localdate().year - 1, 1, 1)


def received_on_error(value: date) -> str | None:
    """Why a date of receipt is refused (in the user's language), or None."""
    from django.utils.translation import gettext as _

    today = timezone.localdate()
    if value > today:
        return _("The date of receipt cannot be in the future.")
    if value < earliest_received_on():
        return _("The date of receipt must be on or after %(date)s.") % {
            "date": earliest_received_on().isoformat()
        }
    return None

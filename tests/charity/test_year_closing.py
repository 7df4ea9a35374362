"""Closing a year: a second administrator approves; balances are carried forward; the
database itself refuses a posting into the closed year (past the ORM), the service says why,
and a correction goes into the open year as a reversing entry."""

from datetime import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from charity import services
from charity.models import Account, LedgerEntry, LedgerLeg, YearClosing
from charity.selectors import fund_general
from tests.accounts import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _gift(amount: str, by) -> LedgerEntry:  # type: ignore[no-untyped-def]
    return services.entry_post(
        kind=LedgerEntry.Kind.OFFLINE_INCOME,
        memo="银行转账",
        legs=[
            services.Leg(services.account_get(kind=Account.Kind.BANK), Decimal(amount)),
            services.Leg(
                services.account_get(kind=Account.Kind.FUND, fund=fund_general()),
                -Decimal(amount),
            ),
        ],
        created_by=by,
    )


def test_a_closed_year_takes_no_more_postings_and_corrections_go_into_the_open_year(
    client, monkeypatch
):
    zone = timezone.get_default_timezone()
    last_year = timezone.localdate().year - 1
    first, second = f.fund_administrator(), f.fund_administrator()
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: datetime(last_year, 12, 31, 22, 0, tzinfo=zone))
    wrong = _gift("300", first)  # booked in error, late in December
    monkeypatch.setattr(timezone, "now", real_now)

    with pytest.raises(ValidationError):  # this year has not ended
        services.year_close_request(year=last_year + 1, by=first)
    client.force_login(first)
    client.post(reverse("reports:closing"), {"action": "request", "year": last_year})
    closing = YearClosing.objects.get(year=last_year)
    with pytest.raises(PermissionDenied):  # four eyes
        services.year_close_approve(closing=closing, by=first)
    client.force_login(second)
    client.post(reverse("reports:closing"), {"action": "approve", "closing": closing.pk})
    closing.refresh_from_db()
    assert closing.status == YearClosing.Status.CLOSED and closing.approved_by == second
    assert closing.balances["bank:CNY"] == "300.00"

    # the service refuses a posting dated in the closed year, with the reason
    monkeypatch.setattr(timezone, "now", lambda: datetime(last_year, 12, 31, 23, 0, tzinfo=zone))
    with pytest.raises(ValidationError, match=str(last_year)):
        _gift("50", first)
    monkeypatch.setattr(timezone, "now", real_now)
    # and so does the database, past the ORM
    with pytest.raises(DatabaseError, match="closed"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO charity_ledgerentry (kind, memo, posted_at) VALUES (%s, %s, %s)",
                ["adjustment", "back-dated", datetime(last_year, 6, 1, 12, 0, tzinfo=zone)],
            )
    # the correction is a reversing entry in the open year; the books still balance
    reversal = services.entry_reverse(entry=wrong, memo="记错了", created_by=first)
    assert timezone.localtime(reversal.posted_at).year == last_year + 1
    assert reversal.reverses == wrong
    bank = LedgerLeg.objects.filter(account__code="bank:CNY").aggregate(s=Sum("amount"))["s"]
    assert bank == 0  # the 300 booked in error is gone from the bank, in the open year
    assert LedgerEntry.objects.filter(posted_at__year=last_year).count() == 1

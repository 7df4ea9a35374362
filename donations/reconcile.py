"""Stripe's balance transactions against the ledger's clearing accounts."""

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Sum

from charity.models import LedgerLeg
from core.money import from_minor
from donations import stripe_gateway as gw
from donations.models import Donation, Refund


def stripe_reconciliation(*, limit: int = 100) -> dict[str, Any]:
    """Per currency: what Stripe's balance transactions say (net) against our clearing
    account's balance; and every balance transaction we have no record of."""
    transactions = gw.balance_transactions_list(limit=limit)
    stripe_net: dict[str, Decimal] = defaultdict(Decimal)
    sources = {t.get("source") for t in transactions}
    known_charges = set(
        Donation.objects.filter(stripe_charge__in=sources).values_list("stripe_charge", flat=True)
    )
    known_refunds = set(
        Refund.objects.filter(stripe_refund_id__in=sources).values_list(
            "stripe_refund_id", flat=True
        )
    )
    unmatched = []
    for txn in transactions:
        currency = str(txn["currency"]).upper()
        stripe_net[currency] += from_minor(int(txn["net"]), currency)
        if txn.get("source") not in known_charges | known_refunds:
            unmatched.append(
                {
                    "id": txn["id"],
                    "type": txn.get("type"),
                    "source": txn.get("source"),
                    "currency": currency,
                    "net": from_minor(int(txn["net"]), currency),
                }
            )
    ledger = {
        row["currency"]: row["total"] or Decimal(0)
        for row in LedgerLeg.objects.filter(account__kind="stripe_clearing")
        .values("currency")
        .annotate(total=Sum("amount"))
    }
    rows = [
        {
            "currency": currency,
            "stripe": stripe_net.get(currency, Decimal(0)),
            "ledger": ledger.get(currency, Decimal(0)),
            "difference": stripe_net.get(currency, Decimal(0)) - ledger.get(currency, Decimal(0)),
        }
        for currency in sorted(set(stripe_net) | set(ledger))
    ]
    return {"rows": rows, "unmatched": unmatched, "count": len(transactions)}

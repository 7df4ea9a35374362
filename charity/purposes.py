"""Purposes: what money given for something other than a published fund is for.

A gift for one wish, or a borrower's payment for a loan's fee and deposit, carries a
*purpose*, a key and an id such as ``("wish", 42)``, on its pledge, its Stripe checkout and
(for a gift) its earmarked fund. The payment path (``donations``) and the ledger
(``charity``) never import the domain that owns the purpose: each domain registers one
handler for its key in its ``AppConfig.ready()``, and the payment path asks
``purpose_for(key)``. The registry is a plain dictionary a reader can open;
nothing here is a signal, and a missing handler is an error, not a silent no-op.

Every hook is called inside the caller's transaction, after the caller has locked its own row
(pledge, donation or disbursement), so a handler may lock its domain row in turn.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from charity.models import Fund


@dataclass(frozen=True)
class Purpose:
    key: str
    id: int

    def __str__(self) -> str:
        return f"{self.key}:{self.id}"


class PurposeHandler(Protocol):
    """What the payment path and the ledger may ask of a domain that receives money."""

    key: str
    # Offline income (bank transfer, cash) may be booked straight into this purpose's fund.
    accepts_offline_income: bool
    # Stripe's fee on a gift for this purpose is the general pool's cost, so the purpose
    # counts each gift at its full amount.
    fees_to_general_pool: bool
    # A pledge for this purpose has at most one checkout: its hold lives as long as it.
    one_checkout_per_pledge: bool
    # False: the money pays for a service (a loan's fee and deposit), it is not a gift. No
    # receipt is issued, it is not listed among gifts or counted in anyone's giving, and the
    # payer need not be a member: the domain decides who may pay before it creates the pledge.
    is_gift: bool

    def credits(self, *, purpose_id: int, amount: Decimal) -> "list[tuple[str, Decimal]] | None":
        """How money received divides between the fund's own accounts, as (account kind,
        amount) pairs summing to ``amount`` (e.g. a fee to the fund, a deposit held); None:
        all of it to the fund's pool."""
        ...

    def debits(self, *, purpose_id: int, amount: Decimal) -> "list[tuple[str, Decimal]] | None":
        """Which of the fund's accounts a refund of ``amount`` reduces (e.g. deposits held);
        None: the fund's refunds account."""
        ...

    def label(self, *, purpose_id: int) -> str:
        """How the purpose is named to its donor (e.g. the wish's public title)."""
        ...

    def reserve(self, *, purpose_id: int, amount: Decimal) -> None:
        """A disbursement into the purpose's fund is being approved: refuse (ValidationError)
        if the need no longer wants this much."""
        ...

    def settle(self, *, purpose_id: int, pledge_id: int) -> "Fund | None":
        """Money arrived for a pledge: the fund to credit, or None if the need no longer
        wants it (the gift then goes to the general pool and ``overflowed`` is called)."""
        ...

    def release(self, *, purpose_id: int, pledge_id: int, reason: str) -> None:
        """The pledge's checkout lapsed with no payment: free whatever was held for it."""
        ...

    def funded(self, *, purpose_id: int) -> None:
        """Money was booked into the purpose's fund (a gift or an approved disbursement)."""
        ...

    def overflowed(self, *, purpose_id: int, pledge_id: int, donation_id: int) -> None:
        """A gift ``settle`` refused was booked to the general pool: tell the donor, or refund."""
        ...

    def returned(self, *, purpose_id: int, amount: Decimal) -> None:
        """Money left the purpose's fund by a refund: the need wants that much again."""
        ...

    def refund_check(self, *, purpose_id: int) -> None:
        """A refund of a gift to this purpose is asked for: refuse (ValidationError) if the
        money has moved on where a refund cannot follow it (a project gift shared out)."""
        ...


_HANDLERS: dict[str, PurposeHandler] = {}


def purpose_register(handler: PurposeHandler) -> None:
    """Called from a domain's AppConfig.ready(); registering a key twice is a mistake."""
    existing = _HANDLERS.get(handler.key)
    if existing is not None and type(existing) is not type(handler):
        raise RuntimeError(f"Purpose {handler.key!r} is already registered by {existing!r}.")
    _HANDLERS[handler.key] = handler


def purpose_for(key: str) -> PurposeHandler:
    try:
        return _HANDLERS[key]
    except KeyError:
        raise LookupError(f"No purpose handler is registered for {key!r}.") from None


def purpose_keys() -> list[str]:
    return sorted(_HANDLERS)


def non_gift_keys() -> list[str]:
    """Purposes whose money pays for a service: kept out of every list of gifts."""
    return sorted(key for key, handler in _HANDLERS.items() if not handler.is_gift)


def pledge_purpose(*, key: str, purpose_id: int | None) -> tuple[PurposeHandler, int] | None:
    """The handler and id a pledge (or its gift) names, or None for a plain gift."""
    if not key or purpose_id is None:
        return None
    return purpose_for(key), purpose_id


def fund_purpose(fund: "Fund") -> tuple[PurposeHandler, int] | None:
    """The handler and id of an earmarked fund's purpose, or None for a published fund."""
    if not fund.purpose_key or fund.purpose_id is None:
        return None
    return purpose_for(fund.purpose_key), fund.purpose_id

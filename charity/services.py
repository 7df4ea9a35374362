"""Posting to the ledger. Every movement of money or valued goods goes through entry_post."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from accounts.models import User, Warehouse
from accounts.selectors import is_fund_administrator
from charity import selectors
from charity.models import (
    Account,
    Disbursement,
    Fund,
    LedgerEntry,
    LedgerLeg,
    StockLot,
    YearClosing,
)
from charity.purposes import Purpose, fund_purpose
from charity.totals import ledger_changed, totals_add
from core.money import quantize
from core.transitions import IllegalMove, transition, transition_record


class LedgerError(ValueError):
    """A posting that would break the ledger's rules; nothing was written."""


@dataclass(frozen=True)
class Leg:
    account: Account
    amount: Decimal  # debit positive, credit negative

    @property
    def currency(self) -> str:
        return self.account.currency


def memo_text(message: str, **params: object) -> str:
    """A ledger memo in the fund's own language (the site's default), whoever posts it: the
    books read the same for every clerk. ``message`` is marked with gettext_noop."""
    with translation.override(settings.LANGUAGE_CODE):
        return (gettext(message) % params)[:255]


def _account_code(kind: str, fund: Fund | None, currency: str | None) -> tuple[str, str]:
    currency = (currency or settings.WISHPOOL_CURRENCY).upper()
    return ":".join(part for part in (kind, fund.code if fund else "", currency) if part), currency


def account_get(*, kind: str, currency: str | None = None, fund: Fund | None = None) -> Account:
    """The one account of a kind (per fund and currency), created on first use."""
    code, currency = _account_code(kind, fund, currency)
    account, _ = Account.objects.get_or_create(
        code=code, defaults={"kind": kind, "fund": fund, "currency": currency}
    )
    return account


def accounts_get(*, wanted: Sequence[tuple[str, Fund | None, str]]) -> list[Account]:
    """Several accounts (kind, fund, currency) in one read, in the order asked; the ones not
    yet used are created. A posting needs three or four: one query instead of one each."""
    codes = [_account_code(kind, fund, currency)[0] for kind, fund, currency in wanted]
    found = {account.code: account for account in Account.objects.filter(code__in=codes)}
    return [
        found.get(code) or account_get(kind=kind, fund=fund, currency=currency)
        for code, (kind, fund, currency) in zip(codes, wanted, strict=True)
    ]


def _check(legs: Sequence[Leg]) -> None:
    if len(legs) < 2:
        raise LedgerError("An entry needs at least two legs.")
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for leg in legs:
        amount = quantize(leg.amount, leg.currency)
        if amount == 0:
            raise LedgerError("A leg of zero is not allowed.")
        totals[leg.currency] += amount
    unbalanced = {ccy: total for ccy, total in totals.items() if total != 0}
    if unbalanced:
        raise LedgerError(f"Entry does not balance: {unbalanced}")


def entry_post(
    *,
    kind: str,
    memo: str,
    legs: Sequence[Leg],
    reference: str | None = None,
    created_by: User | None = None,
    reverses: LedgerEntry | None = None,
) -> LedgerEntry:
    """Post one balanced entry. With a reference, posting again returns the first entry.

    Callers that post from a domain transition lock their own row first, so two posts of
    the same reference do not race; the unique reference is the last guard.
    """
    with transaction.atomic():
        if reference:
            existing = LedgerEntry.objects.filter(reference=reference).first()
            if existing is not None:
                return existing
        return entry_write(
            kind=kind,
            memo=memo,
            legs=legs,
            reference=reference,
            created_by=created_by,
            reverses=reverses,
        )


def entry_write(
    *,
    kind: str,
    memo: str,
    legs: Sequence[Leg],
    reference: str | None = None,
    created_by: User | None = None,
    reverses: LedgerEntry | None = None,
) -> LedgerEntry:
    """Post one balanced entry whose reference the caller knows is new: it has looked under
    the lock of the row the entry belongs to (a booking holding its pledge). It runs in the
    caller's transaction, with no savepoint of its own: whatever it refuses undoes the whole
    booking. The unique reference still refuses a second entry."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("entry_write needs the transaction of the caller that checked")
    _check(legs)
    _open_year_check(timezone.now())
    entry = LedgerEntry.objects.create(
        kind=kind,
        memo=memo[:255],
        reference=reference,
        created_by=created_by,
        reverses=reverses,
    )
    rows = LedgerLeg.objects.bulk_create(
        LedgerLeg(
            entry=entry,
            account=leg.account,
            amount=quantize(leg.amount, leg.currency),
            currency=leg.currency,
        )
        for leg in legs
    )
    # the monthly totals every balance is read from, kept in the same transaction
    totals_add(kind=kind, posted_at=entry.posted_at, legs=rows)
    transaction.on_commit(ledger_changed)
    return entry


def _open_year_check(when: datetime) -> None:
    year = timezone.localtime(when).year
    if YearClosing.objects.filter(year=year, status=YearClosing.Status.CLOSED).exists():
        raise ValidationError(
            _("%(year)s is closed: post the correction into the open year.") % {"year": year}
        )


def year_close_request(*, year: int, by: User) -> YearClosing:
    """A fund administrator asks to close a calendar year that has ended; another approves.
    A repeat returns the request already made."""
    if not is_fund_administrator(by):
        raise PermissionDenied
    if year >= timezone.localdate().year:
        raise ValidationError(_("Only a year that has ended can be closed."))
    if YearClosing.objects.filter(year__gt=year, status=YearClosing.Status.CLOSED).exists():
        raise ValidationError(_("A later year is closed already."))
    with transaction.atomic():
        closing, created = YearClosing.objects.get_or_create(
            year=year, defaults={"requested_by": by}
        )
        if created:
            transition_record(obj=closing, from_state="", to_state=closing.status, by=by)
        return closing


def year_close_approve(*, closing: YearClosing, by: User) -> YearClosing:
    """Four eyes: someone other than the asker closes the year. Each account's balance at the
    year's end (local midnight) is carried forward; from then on nothing is posted into it."""
    if not is_fund_administrator(by):
        raise PermissionDenied
    with transaction.atomic():
        locked = YearClosing.objects.select_for_update().get(pk=closing.pk)
        if locked.status == YearClosing.Status.CLOSED:
            return locked
        if locked.requested_by_id == by.pk:
            raise PermissionDenied(_("Another fund administrator must approve the closing."))
        zone = timezone.get_default_timezone()
        end = datetime(locked.year + 1, 1, 1, tzinfo=zone)
        rows = (
            LedgerLeg.objects.filter(entry__posted_at__lt=end)
            .values("account__code")
            .annotate(total=Sum("amount"))
            .order_by("account__code")
        )
        balances = {r["account__code"]: f"{r['total']:.2f}" for r in rows if r["total"]}
        return transition(
            locked,
            to=YearClosing.Status.CLOSED,
            allowed_from={YearClosing.Status.REQUESTED},
            by=by,
            approved_by=by,
            closed_at=timezone.now(),
            balances=balances,
        ).obj


def fund_save(*, fund: Fund, by: User) -> Fund:
    """A published fund's names, description, target, order and published flag (the Django
    admin's one editable screen). Its code names its ledger accounts and is fixed once saved;
    an earmarked fund belongs to its purpose and is never edited here."""
    if not (is_fund_administrator(by) or by.is_superuser):
        raise PermissionDenied
    if fund.kind == Fund.Kind.EARMARKED or fund.purpose_key:
        raise ValidationError(_("An earmarked fund is managed by what it is for."))
    with transaction.atomic():
        if fund.pk is not None:
            stored = Fund.objects.select_for_update().get(pk=fund.pk)
            if (stored.code, stored.kind) != (fund.code, fund.kind):
                raise ValidationError(_("A fund's code and kind cannot change."))
        fund.full_clean()
        fund.save()
        return fund


def fund_earmark(
    *, purpose: Purpose, code: str, name: str, name_en: str, target_amount: Decimal | None
) -> Fund:
    """The fund earmarked for one need (not listed on the pledge page); one per purpose."""
    with transaction.atomic():
        fund, _created = Fund.objects.get_or_create(
            kind=Fund.Kind.EARMARKED,
            purpose_key=purpose.key,
            purpose_id=purpose.id,
            defaults={
                "code": code,
                "name": name,
                "name_en": name_en,
                "target_amount": target_amount,
                "is_published": False,
            },
        )
        return fund


def disbursement_request(
    *, from_fund: Fund, to_fund: Fund, amount: Decimal, reason: str, by: User
) -> Disbursement:
    """Ask to move money out of a fund; someone other than the requester must approve."""
    if not is_fund_administrator(by):
        raise PermissionDenied
    amount = quantize(amount)
    if amount <= 0:
        raise ValidationError(_("The amount must be more than zero."))
    with transaction.atomic():
        item = Disbursement.objects.create(
            from_fund=from_fund,
            to_fund=to_fund,
            amount=amount,
            reason=reason.strip()[:255],
            requested_by=by,
        )
        transition_record(obj=item, from_state="", to_state=item.status, by=by)
        return item


def disbursement_approve(*, disbursement_id: int, by: User) -> Disbursement:
    """Four eyes: the approver is a fund administrator other than the requester. On approval
    the ledger moves the money; the purpose of an earmarked fund it pays into is reserved in
    the same transaction, so the need cannot be paid for twice."""
    if not is_fund_administrator(by):
        raise PermissionDenied
    with transaction.atomic():
        item = (
            Disbursement.objects.select_for_update()
            .select_related("from_fund", "to_fund")
            .get(pk=disbursement_id)
        )
        if item.status == Disbursement.Status.APPROVED:
            return item
        if item.status != Disbursement.Status.REQUESTED:
            raise IllegalMove(_("This disbursement was already decided."))
        if item.requested_by_id == by.pk:
            raise PermissionDenied(
                _("A disbursement must be approved by someone other than its requester.")
            )
        # One approval at a time per fund, so two cannot both spend the same balance.
        Fund.objects.select_for_update().get(pk=item.from_fund_id)
        balance = selectors.fund_balances(fund_ids=[item.from_fund_id])[0]["balance"]
        if balance < item.amount:
            raise ValidationError(_("The fund does not hold enough money."))
        purpose = fund_purpose(item.to_fund)
        if purpose is not None:
            handler, purpose_id = purpose
            handler.reserve(purpose_id=purpose_id, amount=item.amount)
        entry = entry_post(
            kind=LedgerEntry.Kind.TRANSFER,
            memo=f"{item.from_fund.name} → {item.to_fund.name}: {item.reason}",
            legs=[
                Leg(account_get(kind=Account.Kind.FUND, fund=item.from_fund), item.amount),
                Leg(account_get(kind=Account.Kind.FUND, fund=item.to_fund), -item.amount),
            ],
            reference=f"disbursement:{item.pk}",
            created_by=by,
        )
        item = transition(
            item,
            to=Disbursement.Status.APPROVED,
            allowed_from={Disbursement.Status.REQUESTED},
            by=by,
            entry=entry,
            decided_by=by,
            decided_at=timezone.now(),
        ).obj
        if purpose is not None:
            handler.funded(purpose_id=purpose_id)
        return item


def disbursement_reject(*, disbursement_id: int, by: User, reason: str) -> Disbursement:
    """A fund administrator turns a request down (their own included: withdrawing it needs no
    second pair of eyes), so a stuck request never blocks what it was for."""
    if not is_fund_administrator(by):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError(_("Give a reason."))
    item = Disbursement.objects.get(pk=disbursement_id)
    return transition(
        item,
        to=Disbursement.Status.REJECTED,
        allowed_from={Disbursement.Status.REQUESTED},
        by=by,
        reason=reason.strip(),
        decided_by=by if item.requested_by_id != by.pk else None,
        decided_at=timezone.now(),
        decision_reason=reason.strip()[:255],
    ).obj


def stock_lot_receive(
    *,
    warehouse: Warehouse,
    description: str,
    quantity: int,
    unit_value: Decimal,
    entry: LedgerEntry | None,
) -> StockLot:
    """Goods the pool now holds at a warehouse, tied to the entry that booked them."""
    if quantity < 1 or unit_value <= 0:
        raise ValidationError(_("Quantity and value must be more than zero."))
    return StockLot.objects.create(
        warehouse=warehouse,
        description=description.strip()[:200],
        quantity_received=quantity,
        quantity_on_hand=quantity,
        unit_value=quantize(unit_value),
        entry=entry,
    )


def stock_lot_take(*, lot: StockLot, quantity: int, by: User, reason: str) -> StockLot:
    """Units leave a lot's stock on hand under its lock (never below zero: a check constraint
    and this check). The caller records where they went; the value stays the pool's."""
    if quantity < 1:
        raise ValidationError(_("Take at least one."))
    return _stock_lot_move(lot=lot, change=-quantity, by=by, reason=reason)


def stock_lot_return(*, lot: StockLot, quantity: int, by: User, reason: str) -> StockLot:
    """Units given out in error come back to their lot (never above what it received: this
    check under the lot's lock and a database constraint)."""
    if quantity < 1:
        raise ValidationError(_("Return at least one."))
    return _stock_lot_move(lot=lot, change=quantity, by=by, reason=reason)


def _stock_lot_move(*, lot: StockLot, change: int, by: User, reason: str) -> StockLot:
    """Change a lot's stock on hand under its lock, within 0..received, with its history."""
    with transaction.atomic():
        locked = StockLot.objects.select_for_update().get(pk=lot.pk)
        before = locked.quantity_on_hand
        if before + change < 0:
            raise ValidationError(_("Only %(n)s of these goods are on hand.") % {"n": before})
        if before + change > locked.quantity_received:
            raise ValidationError(_("A lot cannot hold more than it received."))
        locked.quantity_on_hand = before + change
        locked.save(update_fields=["quantity_on_hand"])
        transition_record(
            obj=locked,
            from_state=str(before),
            to_state=str(locked.quantity_on_hand),
            by=by,
            reason=reason,
        )
        return locked


def stock_lot_fund(lot: StockLot) -> Fund:
    """The fund that holds a lot's goods on the books: the one its intake credited."""
    if lot.entry_id is not None:
        leg = (
            LedgerLeg.objects.filter(entry_id=lot.entry_id, account__kind=Account.Kind.FUND_IN_KIND)
            .select_related("account__fund")
            .first()
        )
        if leg is not None and leg.account.fund is not None:
            return leg.account.fund
    return selectors.fund_general()


def stock_lot_give(
    *, lot: StockLot, quantity: int, by: User, memo: str, reference: str
) -> tuple[StockLot, LedgerEntry]:
    """Give units out of stock to a need (a wish): the lot goes down under its lock, and the
    ledger books the goods given out at their recorded value (the fund's gifts in kind go
    down, and so does stock), in one transaction. The reference makes a repeat a no-op; the
    caller holds the lock of the row it gives to, so the reference is never raced."""
    with transaction.atomic():
        existing = LedgerEntry.objects.filter(reference=reference).first()
        if existing is not None:
            return StockLot.objects.get(pk=lot.pk), existing
        taken = stock_lot_take(lot=lot, quantity=quantity, by=by, reason=memo)
        value = taken.unit_value * quantity
        entry = entry_post(
            kind=LedgerEntry.Kind.DISBURSEMENT,
            memo=memo,
            legs=[
                Leg(account_get(kind=Account.Kind.FUND_IN_KIND, fund=stock_lot_fund(taken)), value),
                Leg(account_get(kind=Account.Kind.IN_KIND_STOCK), -value),
            ],
            reference=reference,
            created_by=by,
        )
        return taken, entry


def stock_lot_void(*, lot: StockLot) -> StockLot:
    """The goods were booked in error: none of them is the pool's any more. Only while all are
    still on hand (what was handed out stays on the books)."""
    with transaction.atomic():
        locked = StockLot.objects.select_for_update().get(pk=lot.pk)
        if locked.quantity_on_hand == 0:
            return locked
        if locked.quantity_on_hand != locked.quantity_received:
            raise ValidationError(
                _("Some of these goods have been given out; they cannot be voided.")
            )
        locked.quantity_on_hand = 0
        locked.save(update_fields=["quantity_on_hand"])
        return locked


def entry_reverse(
    *, entry: LedgerEntry, memo: str, reference: str | None = None, created_by: User | None = None
) -> LedgerEntry:
    """A correction: a new entry with every leg negated. An entry is reversed at most once."""
    with transaction.atomic():
        existing = LedgerEntry.objects.filter(reverses=entry).first()
        if existing is not None:
            return existing
        legs = [
            Leg(account=leg.account, amount=-leg.amount)
            for leg in entry.legs.select_related("account")
        ]
        return entry_post(
            kind=LedgerEntry.Kind.REVERSAL,
            memo=memo,
            legs=legs,
            reference=reference or f"reversal:{entry.pk}",
            created_by=created_by,
            reverses=entry,
        )

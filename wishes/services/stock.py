"""Goods in the pool's stock fill item wishes (精准对接): a worker or fund administrator
allocates units of a stock lot to an open item wish. The wish is locked first, then the lot
(always in that order); the lot never goes below zero (its lock, this check and a database
constraint), the ledger books the goods given out at their recorded value in the same
transaction, and the wish moves on to delivery as if it had been claimed. Allocating again to
a wish already filled returns the first allocation."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from charity.models import StockLot
from charity.services import entry_reverse, memo_text, stock_lot_give, stock_lot_return
from core.transitions import transition
from donations.models import GoodsIntake
from wishes import selectors
from wishes.models import StockFill, Wish
from wishes.services.notify import notify


def wish_fill_from_stock(*, wish: Wish, lot: StockLot, by: User) -> StockFill:
    if not selectors.can_vet(user=by, wish=wish):
        raise PermissionDenied
    with transaction.atomic():
        locked = Wish.objects.select_for_update(of=("self",)).get(pk=wish.pk)
        existing = StockFill.objects.live().filter(wish=locked).first()
        if existing is not None:
            return existing
        if locked.kind != Wish.Kind.ITEM:
            raise ValidationError(_("Only a wish for an item can be filled from stock."))
        if locked.status != Wish.Status.OPEN:
            raise ValidationError(_("This wish is no longer open."))
        quantity = locked.quantity or 1
        # a wish filled again after an undo books under a new reference
        undone = StockFill.objects.filter(wish=locked, undone_at__isnull=False).count()
        taken, entry = stock_lot_give(
            lot=lot,
            quantity=quantity,
            by=by,
            memo=f"物资发放 goods given out: {quantity} × {lot.description} → 微心愿 #{locked.pk}",
            reference=f"wish-stock:{locked.pk}" + (f"/{undone}" if undone else ""),
        )
        intake = GoodsIntake.objects.filter(stock_lot_id=lot.pk).select_related("donation").first()
        fill = StockFill.objects.create(
            wish=locked,
            lot=taken,
            quantity=quantity,
            value=taken.unit_value * quantity,
            entry=entry,
            donor_id=intake.donation.donor_id if intake and intake.donation else None,
            filled_by=by,
        )
        locked = transition(
            locked,
            to=Wish.Status.CLAIMED,
            allowed_from={Wish.Status.OPEN},
            by=by,
            reason=_("Filled from stock: %(n)s × %(goods)s")
            % {"n": quantity, "goods": lot.description},
        ).obj
        notify(wish=locked, event="filled_from_stock")
        notify(wish=locked, event="goods_used")
        return fill


def wish_stock_fill_undo(*, fill: StockFill, by: User, reason: str) -> StockFill:
    """An allocation made in error (wrong goods, wrong wish), undone before delivery: the
    units go back to their lot, a reversing entry takes the goods given out off the books, and
    the wish is open again. Only while the wish waits for delivery; a repeat does nothing."""
    if not selectors.can_vet(user=by, wish=fill.wish):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError(_("Give a reason."))
    with transaction.atomic():
        wish = Wish.objects.select_for_update(of=("self",)).get(pk=fill.wish_id)
        locked = StockFill.objects.select_for_update().select_related("entry").get(pk=fill.pk)
        if locked.undone_at is not None:
            return locked
        if wish.status != Wish.Status.CLAIMED:
            raise ValidationError(_("The goods were already delivered; this cannot be undone."))
        stock_lot_return(lot=locked.lot, quantity=locked.quantity, by=by, reason=reason.strip())
        locked.undo_entry = entry_reverse(
            entry=locked.entry,
            memo=memo_text(
                gettext_noop("Allocation undone: micro-wish #%(wish)s (%(reason)s)"),
                wish=wish.pk,
                reason=reason.strip(),
            ),
            created_by=by,
        )
        locked.undone_at = timezone.now()
        locked.undone_by = by
        locked.save(update_fields=["undo_entry", "undone_at", "undone_by"])
        transition(
            wish,
            to=Wish.Status.OPEN,
            allowed_from={Wish.Status.CLAIMED},
            by=by,
            reason=_("Allocation from stock undone: %(reason)s") % {"reason": reason.strip()},
        )
        return locked


def wishes_fill_from_stock(
    *, wishes: list[Wish], lot: StockLot, by: User
) -> tuple[list[StockFill], list[dict[str, Any]]]:
    """Several wishes from one lot, each in its own transaction: what was filled, and what
    was refused with why (e.g. the lot ran out part-way)."""
    filled, refused = [], []
    for wish in wishes:
        try:
            filled.append(wish_fill_from_stock(wish=wish, lot=lot, by=by))
        except (ValidationError, PermissionDenied) as exc:
            reason = " ".join(getattr(exc, "messages", [])) or _("You may not do this.")
            refused.append({"wish": wish, "reason": reason})
    return filled, refused

"""The one way a domain object changes state, and the history every change leaves.

Every transition (pledge, checkout, wish, claim, chip-in, disbursement, loan…) goes through
``transition``: it locks the row, returns quietly if the object is already in the target
state (webhooks and beat jobs repeat), refuses a move from any state not allowed with one
``IllegalMove`` error, saves the new state with its companion fields, and appends a
``Transition`` row (who, from, to, when, why) in the same database transaction, so there is
never a state without its history.
"""

from collections.abc import Collection
from typing import Any, NamedTuple, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from core.models import Transition

M = TypeVar("M", bound=models.Model)


class IllegalMove(ValidationError):
    """A move the object's current state does not allow; nothing was changed."""


class Moved(NamedTuple):
    obj: Any
    changed: bool  # False on a quiet repeat


def _label(obj: models.Model, field: str, value: str) -> str:
    choices = dict(obj._meta.get_field(field).choices or [])  # type: ignore[union-attr]
    return str(choices.get(value, value))


def transition(
    obj: M,
    *,
    to: str,
    allowed_from: Collection[str],
    by: Any = None,
    reason: str = "",
    field: str = "status",
    message: str | None = None,
    locked: bool = False,
    **fields: Any,
) -> Moved:
    """Move ``obj`` to ``to`` if its current state allows it; see the module docstring.

    ``fields`` are saved with the move (e.g. ``published_at``). ``message`` replaces the
    default refusal, which names both states in the user's language. ``locked`` says the
    caller read ``obj`` with ``select_for_update`` in its still open transaction: the row is
    not read again (a booking in a busy webhook worker saves two round trips).
    """
    if locked:
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("transition(locked=True) needs the transaction that locked it")
        return _move(obj, to, allowed_from, by, reason, field, message, fields)
    with transaction.atomic():
        current = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
        return _move(current, to, allowed_from, by, reason, field, message, fields)


def _move(
    locked: M,
    to: str,
    allowed_from: Collection[str],
    by: Any,
    reason: str,
    field: str,
    message: str | None,
    fields: dict[str, Any],
) -> Moved:
    """The move itself, on a row its caller holds locked; nothing is written before the
    checks pass, so a refusal leaves the caller's transaction as it was."""
    current = getattr(locked, field)
    if current == to:
        return Moved(locked, False)
    if current not in allowed_from:
        raise IllegalMove(
            message
            or _("This cannot change from “%(state)s” to “%(to)s”.")
            % {"state": _label(locked, field, current), "to": _label(locked, field, to)}
        )
    setattr(locked, field, to)
    for name, value in fields.items():
        setattr(locked, name, value)
    update_fields = [field, *fields]
    if any(getattr(f, "auto_now", False) for f in locked._meta.concrete_fields):
        update_fields += [
            f.name for f in locked._meta.concrete_fields if getattr(f, "auto_now", False)
        ]
    locked.save(update_fields=update_fields)
    transition_record(obj=locked, from_state=current, to_state=to, by=by, reason=reason)
    return Moved(locked, True)


def transition_record(
    *, obj: models.Model, from_state: str, to_state: str, by: Any = None, reason: str = ""
) -> Transition:
    """Append to the history; for a creation (from "") or a note on an unchanged state.

    Called inside the caller's transaction. ``by`` is a user or None (the system).
    """
    return Transition.objects.create(
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        from_state=from_state,
        to_state=to_state,
        by_id=getattr(by, "pk", None),
        reason=reason[:255],
    )


def history_for(obj: models.Model) -> "models.QuerySet[Transition]":
    return Transition.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))

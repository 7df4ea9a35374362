"""What other domains add to a donor's "My giving" page, without this layer importing them.

A domain registers, in its ``AppConfig.ready()``, a function that takes a donor and returns
rows (dictionaries with public fields only: never a resident's identity or hardship). The page
asks every registered function; a plain list a reader can open, not a signal."""

from collections.abc import Callable
from typing import Any

from donations.models import Donor

GoodsUses = Callable[[Donor], list[dict[str, Any]]]
_GOODS_USES: list[GoodsUses] = []


def goods_uses_register(function: GoodsUses) -> None:
    """Register where a donor's goods went (e.g. the wishes they filled)."""
    if function not in _GOODS_USES:
        _GOODS_USES.append(function)


def goods_uses(donor: Donor) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for function in _GOODS_USES:
        rows.extend(function(donor))
    return rows

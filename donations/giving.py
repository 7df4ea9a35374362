"""What other domains add to a donor's pages ("My giving", the goods pledge), without this
layer importing them.

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


GoodsNeeds = Callable[[str], list[dict[str, Any]]]
_GOODS_NEEDS: list[GoodsNeeds] = []


def goods_needs_register(function: GoodsNeeds) -> None:
    """Register who is asking for goods like these (e.g. open wishes, by station)."""
    if function not in _GOODS_NEEDS:
        _GOODS_NEEDS.append(function)


def goods_needs(description: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for function in _GOODS_NEEDS:
        rows.extend(function(description))
    return rows

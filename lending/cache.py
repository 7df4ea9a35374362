"""The catalogue's availability, shared for WISHPOOL_CATALOGUE_CACHE_SECONDS by every visitor
and computed again after any item or loan changes (a new generation once the change commits),
so "free today" is never older than the last hand-out, return or booking."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache

GENERATION_KEY = "lending:availability:generation"


def lending_changed() -> None:
    """Forget the shared availability (called after an item or a loan is saved, on commit)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 1, None)


def cached(name: str, compute: Callable[[], Any]) -> Any:
    seconds = getattr(settings, "WISHPOOL_CATALOGUE_CACHE_SECONDS", 60)
    if not seconds:
        return compute()
    key = f"lending:availability:{cache.get(GENERATION_KEY, 0)}:{name}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value

"""The catalogue's availability, shared for WISHPOOL_CATALOGUE_CACHE_SECONDS by every visitor
and computed again after any item or loan changes (a new generation once the change commits),
so "free today" is never older than the last hand-out, return or booking."""

from collections.abc import Callable
from typing import Any

from django.conf import settings

from core.kept import generation_next, kept

GENERATION_KEY = "lending:availability:generation"


def lending_changed() -> None:
    """Forget the shared availability (called after an item or a loan is saved, on commit)."""
    generation_next(GENERATION_KEY)


def cached(name: str, compute: Callable[[], Any]) -> Any:
    seconds = getattr(settings, "WISHPOOL_CATALOGUE_CACHE_SECONDS", 60)
    return kept(generation_key=GENERATION_KEY, name=name, seconds=seconds, compute=compute)

"""Values kept in the cache until what they are computed from changes.

A *generation* is a counter in the cache that the owner of some data moves on (after commit)
whenever that data changes; a value kept under the current generation is therefore never
stale, only ever replaced. The board's counts (wishes), the pool's public figures (charity)
and the catalogue's availability (lending) use it.
"""

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

T = TypeVar("T")


def generation(key: str) -> int:
    return int(cache.get(key, 0))


def generation_next(key: str) -> None:
    """Everything kept under ``key``'s current generation is stale from now on."""
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, None)


def kept(*, generation_key: str, name: str, seconds: int, compute: Callable[[], T]) -> T:
    """``compute()``, or the value kept for this generation; ``seconds`` 0 keeps nothing.

    The value is stored with the generation it was computed in, so the current generation
    and the value come back in one trip to the cache (a page asks for several of these)."""
    if not seconds:
        return compute()
    # a long name (filters, a search) is hashed, never cut: two names sharing a start must
    # not collide; so is one with spaces or control characters, which memcached refuses
    if len(name) > 100 or not name.isprintable() or " " in name:
        name = hashlib.sha256(name.encode()).hexdigest()
    key = f"kept:{generation_key}:{name}"
    found = cache.get_many([generation_key, key])
    current = int(found.get(generation_key, 0))
    stored = found.get(key)
    if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == current:
        return stored[1]  # type: ignore[no-any-return]
    value = compute()
    cache.set(key, (current, value), seconds)
    return value

"""The Redis cache keeps one client per server (core.redis_cache), on a real Redis."""

import threading

import pytest

from core.redis_cache import RedisCache

pytestmark = pytest.mark.redis

URL = "redis://127.0.0.1:6379/15"


def _cache() -> RedisCache:
    return RedisCache(URL, {"KEY_PREFIX": "test-redis-cache"})


def test_operations_share_one_client_and_still_round_trip(monkeypatch):
    import redis

    made = []
    cache = _cache()

    init = redis.Redis.__init__

    def counting(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        made.append(1)
        init(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "__init__", counting)
    cache.set("a", {"yuan": "12.50"}, 30)
    cache.set_many({"b": 2, "c": 3}, 30)
    assert cache.get("a") == {"yuan": "12.50"}
    assert cache.get_many(["a", "b", "c", "missing"]) == {"a": {"yuan": "12.50"}, "b": 2, "c": 3}
    assert cache.incr("b") == 3
    cache.delete_many(["a", "b", "c"])
    assert cache.get("a") is None
    assert len(made) == 1  # Django's own backend makes one per operation: 7 here


def test_threads_share_the_client_safely():
    cache = _cache()
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(50):
                cache.set(f"t{n}:{i}", i, 30)
                assert cache.get(f"t{n}:{i}") == i
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    cache.delete_many([f"t{n}:{i}" for n in range(8) for i in range(50)])


def test_settings_use_it_for_a_redis_cache_url(monkeypatch):
    from config.settings.base import cache_config

    monkeypatch.setenv("CACHE_URL", URL)
    assert cache_config()["BACKEND"] == "core.redis_cache.RedisCache"
    monkeypatch.setenv("CACHE_URL", "locmemcache://")
    assert cache_config()["BACKEND"].endswith("LocMemCache")

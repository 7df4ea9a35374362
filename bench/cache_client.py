"""CPU per cache read: Django's Redis backend (a new redis.Redis per operation) against
core.redis_cache (one client per server), side by side, on Redis DB 13.

    .venv/bin/python -m bench.cache_client
"""

import os
import time

READS = 5000
URL = "redis://127.0.0.1:6379/13"


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.core.cache.backends.redis import RedisCache as DjangoRedisCache

    from core.redis_cache import RedisCache

    for _round in range(2):
        for name, backend in (("django", DjangoRedisCache), ("core.redis_cache", RedisCache)):
            cache = backend(URL, {"KEY_PREFIX": "bench-cache-client"})
            cache.set("k", 1, 60)
            wall, cpu = time.perf_counter(), time.process_time()
            for _ in range(READS):
                cache.get("k")
            print(
                f"  {name:<18} {(time.perf_counter() - wall) / READS * 1000:.3f} ms wall, "
                f"{(time.process_time() - cpu) / READS * 1000:.3f} ms CPU per read",
                flush=True,
            )
            cache.delete("k")


if __name__ == "__main__":
    main()

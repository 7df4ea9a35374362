"""Lending at scale: SQL queries per page of the catalogue (/lending/ and a type's page) and the
availability search for one type over 90 days, at 2,000 and at 20,000 items across 20
stations, each item with loans booked over the next 90 days.

Then, at 2,000 items, req/s of /lending/ on gunicorn -w 2 with the availability computed for
every request (WISHPOOL_CATALOGUE_CACHE_SECONDS=0) and shared for 60 s, each side by side with
../shared/perf/hello.py through pagebench.sh (3 rounds of 10 s, wrk -t2 -c16).

Run from the project root: .venv/bin/python -m bench.lending
"""

import random
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench import common as c

DB_NAME = "wishpool_bench_lending"
CACHE_URL = "redis://127.0.0.1:6379/12"
STATIONS = 20
FEW, MANY = 2_000, 20_000
TIMED = 20  # timed calls per figure, median reported
SEED = 20261202


def world() -> dict[str, Any]:
    """20 stations with their branch warehouses, four equipment types, residents."""
    from lending import services
    from tests.accounts import factories as f

    stations = [f.station(f"驿站{n:02d}") for n in range(STATIONS)]
    workers = [f.worker(s, with_totp=False) for s in stations]
    residents = [f.resident(by=w) for w in workers]
    types = [
        services.equipment_type_create(
            name=name,
            name_en=en,
            slug=slug,
            daily_fee=Decimal("3"),
            deposit=Decimal("300"),
            sort_order=n,
        )
        for n, (name, en, slug) in enumerate(
            [
                ("轮椅", "Wheelchair", "wheelchair"),
                ("护理床", "Care bed", "care-bed"),
                ("拐杖", "Crutches", "crutches"),
                ("助行器", "Walker", "walker"),
            ]
        )
    ]
    return {"stations": stations, "workers": workers, "residents": residents, "types": types}


def items_add(w: dict[str, Any], *, start: int, count: int, rng: random.Random) -> None:
    """Items spread over the stations and types, and about one loan per item booked within
    the next 90 days (as loan_request would leave them: no overlaps per item)."""
    from django.utils import timezone

    from lending.models import Item, Loan

    items = [
        Item(
            type=w["types"][n % 4],
            tag=f"B{n:06d}",
            warehouse=w["stations"][n % STATIONS].warehouse,
        )
        for n in range(start, start + count)
    ]
    Item.objects.bulk_create(items, batch_size=2000)
    created = Item.objects.filter(tag__in=[i.tag for i in items]).values_list("pk", "warehouse_id")
    today = timezone.localdate()
    by_warehouse = {s.warehouse.pk: n for n, s in enumerate(w["stations"])}
    loans = []
    for pk, warehouse_id in created:
        first = today + timedelta(days=rng.randint(0, 80))
        n = by_warehouse[warehouse_id]
        loans.append(
            Loan(
                item_id=pk,
                resident=w["residents"][n],
                requested_by=w["workers"][n],
                starts_on=first,
                ends_on=first + timedelta(days=rng.randint(1, 9)),
                free=False,
                fee=Decimal("30"),
                deposit=Decimal("300"),
            )
        )
    Loan.objects.bulk_create(loans, batch_size=2000)


@contextmanager
def _counting(connection: Any) -> Iterator[list[str]]:
    """Every SQL statement run, counted at the cursor (survives the request closing the
    connection, which Django's own capture does not)."""
    seen: list[str] = []

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        yield seen


def measure(w: dict[str, Any]) -> dict[str, tuple[int, float]]:
    """(queries, median ms) for each page and for the availability search of one type."""
    from django.db import connection
    from django.test import Client

    from lending import selectors

    client = Client()
    out: dict[str, tuple[int, float]] = {}
    for label, url in [
        ("/lending/", "/lending/"),
        ("/lending/wheelchair/", "/lending/wheelchair/"),
    ]:
        client.get(url)  # warm
        with _counting(connection) as counted:
            assert client.get(url).status_code == 200
        samples = []
        for _ in range(TIMED):
            t = time.perf_counter()
            client.get(url)
            samples.append(time.perf_counter() - t)
        out[label] = (len(counted), c.median_ms(samples))
    wheelchair = w["types"][0]
    with _counting(connection) as counted:
        selectors.availability(types=[wheelchair])
    samples = []
    for _ in range(TIMED):
        t = time.perf_counter()
        selectors.availability(types=[wheelchair])
        samples.append(time.perf_counter() - t)
    out["availability, one type, 90 days"] = (len(counted), c.median_ms(samples))
    return out


def throughput(env: dict[str, str], tmp: Path) -> dict[str, tuple[float, float]]:
    import redis

    from bench.wishboard import pagebench, warm

    hello_env = {k: v for k, v in env.items() if k != "DJANGO_SETTINGS_MODULE"}
    hello_port = c.free_port()
    hello_url = f"http://127.0.0.1:{hello_port}/"
    hello = c.gunicorn(
        "hello:application", port=hello_port, env=hello_env, log=tmp / "hello.log", chdir=c.PERF_DIR
    )
    results = {}
    try:
        warm(hello_url)
        for label, seconds in (("uncached", 0), ("cached", 60)):
            redis.Redis.from_url(CACHE_URL).flushdb()
            senv = {
                **env,
                "CACHE_URL": CACHE_URL,
                "WISHPOOL_CATALOGUE_CACHE_SECONDS": str(seconds),
            }
            port = c.free_port()
            server = c.gunicorn("config.wsgi", port=port, env=senv, log=tmp / f"{label}.log")
            try:
                url = f"http://127.0.0.1:{port}/lending/"
                warm(url)
                print(f"  {label} (WISHPOOL_CATALOGUE_CACHE_SECONDS={seconds})", flush=True)
                results[label] = pagebench(url, hello_url)
            finally:
                c.stop(server)
    finally:
        c.stop(hello)
        redis.Redis.from_url(CACHE_URL).flushdb()
    return results


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="wishpool-bench-lending-"))
    env = c.bench_env(
        db_name=DB_NAME, private_root=tmp / "private", CELERY_TASK_ALWAYS_EAGER="true"
    )
    try:
        c.db_create(DB_NAME)
        c.migrate(env)
        c.django_setup(env, private_root=tmp / "private")
        from portal.content import demo_pages_ensure

        print(f"lending bench on database {DB_NAME}", flush=True)
        c.line("load average at start", c.load())
        rng = random.Random(SEED)
        w = world()
        demo_pages_ensure()
        items_add(w, start=0, count=FEW, rng=rng)
        few = measure(w)
        c.django_close()
        rates = throughput(env, tmp)
        items_add(w, start=FEW, count=MANY - FEW, rng=rng)
        many = measure(w)
        for label in few:
            (q1, ms1), (q2, ms2) = few[label], many[label]
            c.line(f"{label} queries at {FEW:,} / {MANY:,}", f"{q1} / {q2}")
            c.line(f"{label} ms at {FEW:,} / {MANY:,}", f"{ms1:.1f} / {ms2:.1f}")
        for label, (page, floor) in rates.items():
            c.line(
                f"/lending/ {label} at {FEW:,}",
                f"{page:.0f} req/s, hello {floor:.0f} req/s, ratio {page / floor:.2f}",
            )
        constant = all(few[k][0] == many[k][0] for k in few)
        c.line("queries independent of the number of items", "yes" if constant else "NO")
        c.line("figures", f"median of {TIMED} calls each, in one process")
        c.line("load average at end", c.load())
    finally:
        c.django_close()
        c.db_drop(DB_NAME)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

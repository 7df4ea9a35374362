"""The wish board (/wishes/): SQL queries per page at 200 and at 10,000 wishes, and req/s on
gunicorn -w 2 against hello.py with ../shared/perf/pagebench.sh, side by side: uncached at 200,
uncached at 10,000 (and how much it falls), cached at 10,000.

Run from the project root: .venv/bin/python -m bench.wishboard
"""

import random
import re
import shutil
import statistics
import subprocess
import tempfile
import time
import urllib.request
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import redis

from bench import common as c

DB_NAME = "wishpool_bench_board"
CACHE_URL = "redis://127.0.0.1:6379/13"
FEW_WISHES = 200
MANY_WISHES = 10_000
STATIONS = 4
RESIDENTS_PER_STATION = 12
CACHE_SECONDS = 60
ROUNDS = 3  # pagebench.sh rounds: A B A B A B, 10 s each
TIMED_GETS = 20  # in-process GETs per URL for the median ms
SEED = 20261122
CACHE_HIT = "/wishes/, anonymous cache hit"

# Mostly open, claimed and fulfilled; some waiting for review. The weights add up to 100.
STATUSES = [
    ("open", 38),
    ("claimed", 18),
    ("fulfilled", 22),
    ("submitted", 10),
    ("funded", 3),
    ("delivered", 3),
    ("changes_requested", 2),
    ("rejected", 2),
    ("withdrawn", 2),
]
# Food is weighted up so that ?category=food&page=3 is a real third page at 200 wishes too.
CATEGORIES = [
    ("food", 30),
    ("daily_goods", 20),
    ("clothing", 12),
    ("home_repair", 12),
    ("health_aid", 12),
    ("companionship", 7),
    ("other", 7),
]
TITLES = {
    "food": "一袋大米和食用油",
    "daily_goods": "冬天用的电热毯",
    "clothing": "一件厚棉袄",
    "home_repair": "修好漏水的水龙头",
    "health_aid": "一副助行器",
    "companionship": "每周陪聊一小时",
    "other": "一台收音机",
}
DISTRICTS = ["浦东新区", "徐汇区", "静安区"]
AREAS = ["梅园", "桃园", "竹园", "兰园"]


# --- data ----------------------------------------------------------------------------------


def residents() -> list[Any]:
    """Stations, one community worker each and their residents, through the services."""
    from accounts import services
    from tests.accounts import factories as f

    people = []
    for s in range(STATIONS):
        station = services.station_create(
            name=f"基准驿站{s + 1}",
            address=f"基准路 {s + 1} 号",
            district=DISTRICTS[s % len(DISTRICTS)],
            latitude=31.2,
            longitude=121.5,
        )
        worker = f.worker(station)
        for r in range(RESIDENTS_PER_STATION):
            people.append(
                f.resident(
                    by=worker,
                    pseudonym=f"{'王李张刘陈杨'[r % 6]}奶奶",
                    coarse_area=f"{AREAS[s % len(AREAS)]}社区",
                    real_name=f"居民{s}-{r}",
                    phone=f"1380000{s:02d}{r:02d}",
                )
            )
    return people


def _pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def wishes_add(count: int, *, start: int, people: list[Any], rng: random.Random) -> None:
    """Benchmark data only: Wish rows (and the earmarked funds of public money wishes) in
    bulk, as they would look after the services had moved them along."""
    from django.utils import timezone

    from charity.models import Fund
    from wishes.models import Wish

    now = timezone.now()
    today = timezone.localdate()
    rows, funds = [], []
    for i in range(start, start + count):
        resident = people[i % len(people)]
        status = _pick(rng, STATUSES)
        category = _pick(rng, CATEGORIES)
        kind = "money" if rng.random() < 0.4 else "item"
        if kind == "money" and status == "claimed":
            status = "open"  # a money wish is chipped in for, not claimed
        if kind == "item" and status == "funded":
            status = "claimed"
        target = Decimal(rng.randrange(50, 2000)) if kind == "money" else None
        committed = Decimal(0)
        if target is not None and status in ("funded", "delivered", "fulfilled"):
            committed = target
        elif target is not None and status == "open":
            committed = (target * Decimal(rng.randrange(0, 90)) / 100).quantize(Decimal("0.01"))
        public = status in Wish.PUBLIC_STATUSES
        published = now - timedelta(minutes=rng.randrange(1, 365 * 24 * 60)) if public else None
        wish = Wish(
            resident=resident,
            station_id=resident.station_id,
            posted_by_id=resident.created_by_id,
            consent="in_person",
            title=f"{TITLES[category]}（{i + 1}）",
            story="家里只剩老人一个人，子女在外地，社区工作者上门时了解到这个需要。" * 2,
            category=category,
            kind=kind,
            quantity=rng.randrange(1, 5) if kind == "item" else None,
            target_amount=target,
            committed_amount=committed,
            needed_by=today + timedelta(days=rng.randrange(7, 120)),
            pseudonym=resident.pseudonym,
            coarse_area=resident.coarse_area,
            status=status,
            published_at=published,
            fulfilled_at=published + timedelta(days=3) if status == "fulfilled" else None,
        )
        if kind == "money" and public:
            funds.append(
                (
                    wish,
                    Fund(
                        code=f"wish-bench-{i + 1}",
                        name=f"微心愿 基准{i + 1}",
                        name_en=f"Micro-wish bench {i + 1}",
                        kind=Fund.Kind.EARMARKED,
                        purpose_key="wish",
                        target_amount=target,
                        is_published=False,
                    ),
                )
            )
        rows.append(wish)
    Wish.objects.bulk_create(rows, batch_size=1000)  # PostgreSQL returns the ids
    for wish, fund in funds:
        fund.purpose_id = wish.pk
    Fund.objects.bulk_create([fund for _, fund in funds], batch_size=1000)
    for wish, fund in funds:
        wish.fund = fund
    Wish.objects.bulk_update([wish for wish, _ in funds], ["fund"], batch_size=1000)
    from django.db import connection

    with connection.cursor() as cursor:  # what autovacuum does after a bulk load, at once
        cursor.execute("ANALYZE")


# --- (1) queries per page, in process -------------------------------------------------------


def board_urls() -> list[tuple[str, str]]:
    """(label, path): the board, two of its pages and two wishes from the first 200."""
    from wishes.models import Wish

    first = Wish.objects.filter(status="open", pk__lte=FEW_WISHES).order_by("pk")
    item = first.filter(kind="item").first()
    money = first.filter(kind="money").first()
    assert item is not None and money is not None and money.fund_id is not None
    return [
        ("/wishes/", "/wishes/"),
        ("/wishes/?page=2", "/wishes/?page=2"),
        ("/wishes/?category=food&page=3", "/wishes/?category=food&page=3"),
        ("wish detail (item, open)", f"/wishes/{item.pk}/"),
        ("wish detail (money, open, own fund)", f"/wishes/{money.pk}/"),
        (CACHE_HIT, "/wishes/"),
    ]


Figures = dict[str, tuple[int, float, int, list[str]]]


def measure_queries(urls: list[tuple[str, str]]) -> Figures:
    """For each URL: (queries, median ms of TIMED_GETS, wish cards shown, the SQL); anonymous,
    board cache off, except for CACHE_HIT (60 s, this process's locmem cache). One warm-up GET
    per URL first (Wagtail caches the site root paths; it fills the board cache)."""
    from contextlib import nullcontext

    from django.core.cache import cache
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    client = Client()
    figures = {}
    for label, url in urls:
        cached = label == CACHE_HIT
        cache.clear()
        with override_settings(WISHPOOL_BOARD_CACHE_SECONDS=60) if cached else nullcontext():
            warm = client.get(url)
            if warm.status_code != 200:
                raise RuntimeError(f"GET {url} answered {warm.status_code}")
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
            # Read now: captured_queries is a view of the log, which the next request resets.
            sql = [q["sql"] for q in captured.captured_queries]
            cards = response.content.decode().count('class="wish-card')
            times = []
            for _ in range(TIMED_GETS):
                t = time.perf_counter()
                client.get(url)
                times.append(time.perf_counter() - t)
        figures[label] = (len(sql), statistics.median(times) * 1000, cards, sql)
    return figures


def board_shape() -> str:
    from wishes import selectors
    from wishes.models import Wish

    public = selectors.board_wishes().count()
    food = selectors.board_wishes(category="food").count()
    return (
        f"{Wish.objects.count()} wishes, {public} on the board ({-(-public // 24)} pages), "
        f"{food} food ({-(-food // 24)} pages)"
    )


def print_queries(few: Figures, many: Figures, urls: list[tuple[str, str]]) -> bool:
    print(
        f"\n(1) SQL queries per GET, anonymous, django.test.Client, board cache off but on the last"
        f"\n  {'page':<38} {'queries':>17} {'median ms':>17} {'cards':>11}"
        f"\n  {'':<38} {FEW_WISHES:>8,} {MANY_WISHES:>8,} {FEW_WISHES:>8,} {MANY_WISHES:>8,}"
        f" {FEW_WISHES:>5} {MANY_WISHES:>5}",
        flush=True,
    )
    constant = True
    for label, _ in urls:
        (q1, ms1, n1, _), (q2, ms2, n2, sql) = few[label], many[label]
        constant &= q1 == q2
        print(f"  {label:<38} {q1:>8} {q2:>8} {ms1:>8.1f} {ms2:>8.1f} {n1:>5} {n2:>5}", flush=True)
        if q1 != q2:
            print(f"    queries at {MANY_WISHES:,}:", flush=True)
            for query in sql:
                print(f"      {query[:160]}", flush=True)
    c.line("query count independent of the number of wishes", "yes" if constant else "NO")
    return constant


# --- (2) throughput on gunicorn --------------------------------------------------------------


def server_env(base: dict[str, str], *, seconds: int) -> dict[str, str]:
    # Production keeps PostgreSQL connections for 60 s; test settings default to 0.
    return {
        **base,
        "CACHE_URL": CACHE_URL,
        "WISHPOOL_BOARD_CACHE_SECONDS": str(seconds),
    }


SETTINGS_PROBE = (
    "import django; django.setup(); from django.conf import settings as s; "
    "d = s.CACHES['default']; "
    "print(s.SETTINGS_MODULE, s.DEBUG, d['BACKEND'], d.get('LOCATION'), "
    "s.WISHPOOL_BOARD_CACHE_SECONDS, s.DATABASES['default']['NAME'], "
    "s.DATABASES['default']['CONN_MAX_AGE'])"
)


def settings_probe(env: dict[str, str]) -> list[str]:
    out = subprocess.run(
        [str(c.VENV_BIN / "python"), "-c", SETTINGS_PROBE],
        cwd=c.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return out.split()


def server_settings(env: dict[str, str]) -> dict[str, str]:
    """config.settings.test if it honours CACHE_URL; else config.settings.dev with DEBUG off."""
    module, debug, backend, location, seconds, db, conn_age = settings_probe(env)
    if "redis" in backend.lower() and location == CACHE_URL:
        good = env
    else:
        print(
            "NEEDED CHANGE: config/settings/test.py ignores CACHE_URL (cache "
            f"{backend}); the servers run on config.settings.dev with DJANGO_DEBUG=false.",
            flush=True,
        )
        good = {
            **env,
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "DJANGO_DEBUG": "false",
            "DJANGO_ALLOWED_HOSTS": "*",
        }
        module, debug, backend, location, seconds, db, conn_age = settings_probe(good)
    c.line("server settings", f"{module}, DEBUG={debug}, CONN_MAX_AGE={conn_age}")
    c.line("server cache", f"{backend} {location}")
    if debug != "False" or "redis" not in backend.lower() or db != DB_NAME:
        raise SystemExit(
            f"stopping: server settings not fit to measure ({module}, {backend}, {db})"
        )
    if seconds != env["WISHPOOL_BOARD_CACHE_SECONDS"]:
        raise SystemExit(
            "stopping: WISHPOOL_BOARD_CACHE_SECONDS is not read from the environment "
            f"(got {seconds}); config/settings/base.py needs "
            "WISHPOOL_BOARD_CACHE_SECONDS = env.int('WISHPOOL_BOARD_CACHE_SECONDS', default=60)"
        )
    return good


def board_keys() -> int:
    client = redis.Redis.from_url(CACHE_URL)
    try:
        return sum(1 for _ in client.scan_iter(match="*wishboard:page:*"))
    finally:
        client.close()


def cache_flush() -> None:
    client = redis.Redis.from_url(CACHE_URL)
    try:
        client.flushdb()
    finally:
        client.close()


def warm(url: str) -> None:
    """One GET must answer 200; then 5 s of wrk, which must see no non-2xx answer. wrk's
    timeouts (no answer within 2 s) are printed: requests queue behind 2 sync workers."""
    with urllib.request.urlopen(url, timeout=30) as response:
        if response.status != 200:
            raise RuntimeError(f"GET {url} answered {response.status}")
    out = subprocess.run(
        ["wrk", "-t2", "-c16", "-d5s", url], capture_output=True, text=True, check=True
    ).stdout
    rows = {row.split(":")[0].strip(): row.strip() for row in out.splitlines() if ":" in row}
    if "Non-2xx or 3xx responses" in rows:
        raise RuntimeError(f"warm-up of {url}: {rows['Non-2xx or 3xx responses']}")
    note = rows.get("Socket errors", "no socket errors")
    c.line(f"warm-up, wrk 5 s on {url.split('/', 3)[3] or '/'}", f"{rows['Requests/sec']}; {note}")


def pagebench(board: str, hello: str) -> tuple[float, float]:
    out = subprocess.run(
        [str(c.PERF_DIR / "pagebench.sh"), board, hello, str(ROUNDS)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for row in out.splitlines():
        print(f"    {row}", flush=True)
    medians = [float(m) for m in re.findall(r"\(median ([\d.]+)\)", out)]
    if len(medians) != 2:
        raise RuntimeError(f"could not read pagebench's medians from: {out!r}")
    return medians[0], medians[1]


def throughput(
    env: dict[str, str], tmp: Path, runs: tuple[tuple[str, int], ...]
) -> dict[str, tuple[float, float]]:
    hello_env = {k: v for k, v in env.items() if k != "DJANGO_SETTINGS_MODULE"}
    hello_port = c.free_port()
    hello_url = f"http://127.0.0.1:{hello_port}/"
    print(
        f"\n(2) req/s, gunicorn config.wsgi -w 2 vs hello.py on gunicorn -w 2 (port {hello_port}),"
        f" pagebench.sh {ROUNDS} rounds x 10 s each side, wrk -t2 -c16",
        flush=True,
    )
    hello = c.gunicorn(
        "hello:application", port=hello_port, env=hello_env, log=tmp / "hello.log", chdir=c.PERF_DIR
    )
    results = {}
    try:
        warm(hello_url)
        for label, seconds in runs:
            senv = server_settings(server_env(env, seconds=seconds))
            port = c.free_port()
            url = f"http://127.0.0.1:{port}/wishes/"
            cache_flush()
            server = c.gunicorn("config.wsgi", port=port, env=senv, log=tmp / f"{label}.log")
            try:
                warm(url)
                keys = board_keys()
                c.line("wishboard keys in Redis DB 13 after warm-up", str(keys))
                if (keys > 0) != (seconds > 0):
                    raise RuntimeError(f"{label} run: {keys} board pages cached, not as configured")
                print(f"  {label} (WISHPOOL_BOARD_CACHE_SECONDS={seconds})", flush=True)
                results[label] = pagebench(url, hello_url)
            finally:
                c.stop(server)
    finally:
        c.stop(hello)
    return results


# --- main ----------------------------------------------------------------------------------


def django_setup(env: dict[str, str]) -> None:
    import os
    import sys

    os.environ.update(env)
    os.environ.pop("CACHE_URL", None)  # this process: locmem, never the servers' Redis DB
    if str(c.BASE_DIR) not in sys.path:
        sys.path.insert(0, str(c.BASE_DIR))
    import django

    django.setup()
    from django.conf import settings

    if settings.WISHPOOL_BOARD_CACHE_SECONDS != 0:
        raise SystemExit("stopping: WISHPOOL_BOARD_CACHE_SECONDS is not read from the environment")


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="wishpool-bench-board-"))
    # Eager tasks and the locmem cache in this process: nothing it does touches Redis DB 14/15.
    env = c.bench_env(
        db_name=DB_NAME,
        private_root=tmp / "private",
        CELERY_TASK_ALWAYS_EAGER="true",
        WISHPOOL_BOARD_CACHE_SECONDS="0",
    )
    try:
        c.db_create(DB_NAME)
        c.migrate(env)
        cache_flush()
        django_setup(env)
        from portal.content import demo_pages_ensure

        print(f"wish board bench on database {DB_NAME}, cache {CACHE_URL}", flush=True)
        c.line("load average at start", c.load())
        rng = random.Random(SEED)
        t = time.perf_counter()
        people = residents()
        demo_pages_ensure()
        wishes_add(FEW_WISHES, start=0, people=people, rng=rng)
        c.line(f"at {FEW_WISHES:,}", board_shape())
        urls = board_urls()
        few = measure_queries(urls)
        c.django_close()  # the servers get the database to themselves
        results = throughput(env, tmp, ((f"uncached at {FEW_WISHES:,}", 0),))
        wishes_add(MANY_WISHES - FEW_WISHES, start=FEW_WISHES, people=people, rng=rng)
        c.line(f"at {MANY_WISHES:,}", board_shape())
        c.line("setup (services + bulk_create + measuring)", f"{time.perf_counter() - t:.1f} s")
        many = measure_queries(urls)
        print_queries(few, many, urls)
        c.django_close()
        results |= throughput(
            env,
            tmp,
            ((f"uncached at {MANY_WISHES:,}", 0), (f"cached at {MANY_WISHES:,}", CACHE_SECONDS)),
        )
        print("\nsummary", flush=True)
        for label, (board, floor) in results.items():
            c.line(
                f"/wishes/ {label}",
                f"{board:.0f} req/s, hello {floor:.0f} req/s, ratio {board / floor:.3f}",
            )
        few_rate = results[f"uncached at {FEW_WISHES:,}"][0]
        many_rate = results[f"uncached at {MANY_WISHES:,}"][0]
        c.line(
            f"uncached at {MANY_WISHES:,} vs at {FEW_WISHES:,}",
            f"{many_rate / few_rate:.2f} (falls {max(0.0, 1 - many_rate / few_rate):.0%})",
        )
        c.line("load average at end", c.load())
    finally:
        c.django_close()
        c.db_drop(DB_NAME)
        cache_flush()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Where a page's time goes: pyinstrument over repeated requests, in-process (Django's test
client, DEBUG off, the board cache off), on a database of its own.

    .venv/bin/python -m bench.profile board    # /wishes/ at 200 and at 10,000 wishes
    .venv/bin/python -m bench.profile ledger   # /transparency/ and /api/v1/flows/ at 1M legs

Prints, per page, the mean time per request and pyinstrument's call tree (frames under 2% of
the time hidden). Own database `wishpool_bench_profile`, dropped after.
"""

import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench import common as c

DB_NAME = "wishpool_bench_profile"
REQUESTS = 200


def profile(path: str, *, requests: int = REQUESTS) -> None:
    from django.test import Client
    from pyinstrument import Profiler

    client = Client()
    for _ in range(5):
        assert client.get(path).status_code == 200, path
    profiler = Profiler(interval=0.0005)
    started = time.perf_counter()
    profiler.start()
    for _ in range(requests):
        client.get(path)
    profiler.stop()
    took = time.perf_counter() - started
    c.line(f"{path}: {requests} requests", f"{took / requests * 1000:.1f} ms each (profiled)")
    print(
        profiler.output_text(unicode=True, color=False, show_all=False, time="percent_of_total")
        .replace("\n\n", "\n")
        .strip()[:12000],
        flush=True,
    )
    from pyinstrument.renderers import ConsoleRenderer

    flat = profiler.output(ConsoleRenderer(flat=True, time="percent_of_total", show_all=True))
    print("  top functions by own time:", flush=True)
    print("\n".join(flat.strip().splitlines()[5:45]), flush=True)


def board() -> None:
    from bench import wishboard as wb
    from portal.content import demo_pages_ensure

    rng = random.Random(wb.SEED)
    people = wb.residents()
    demo_pages_ensure()
    wb.wishes_add(wb.FEW_WISHES, start=0, people=people, rng=rng)
    print(f"\n== /wishes/ at {wb.FEW_WISHES:,} wishes", flush=True)
    profile("/wishes/")
    wb.wishes_add(wb.MANY_WISHES - wb.FEW_WISHES, start=wb.FEW_WISHES, people=people, rng=rng)
    print(f"\n== /wishes/ at {wb.MANY_WISHES:,} wishes", flush=True)
    profile("/wishes/")


def ledger() -> None:
    from bench.exports import load
    from charity.totals import totals_rebuild
    from portal.content import demo_pages_ensure

    c.django_close()
    load(c.database_url(DB_NAME))
    totals_rebuild()
    demo_pages_ensure()
    print("\n== at 1,000,000 ledger legs", flush=True)
    profile("/transparency/")
    profile("/api/v1/flows/")


def main() -> None:
    what = sys.argv[1] if len(sys.argv) > 1 else "board"
    if what not in ("board", "ledger"):
        raise SystemExit("usage: python -m bench.profile board|ledger")
    tmp = Path(tempfile.mkdtemp(prefix="wishpool-bench-profile-"))
    env = c.bench_env(
        db_name=DB_NAME,
        private_root=tmp / "private",
        CELERY_TASK_ALWAYS_EAGER="true",
        WISHPOOL_BOARD_CACHE_SECONDS="0",
        WISHPOOL_API_CACHE_SECONDS="0",
        WISHPOOL_API_RATE="100000000/s",
    )
    report = None
    try:
        c.db_create(DB_NAME)
        c.migrate(env)
        report = c.django_setup(env, private_root=tmp / "private")
        from config.celery import app

        app.conf.task_always_eager = True  # setting up data runs follow-ups inline
        c.line("load average at start", c.load())
        board() if what == "board" else ledger()
    finally:
        c.django_close()
        if not os.environ.get("BENCH_KEEP"):
            c.db_drop(DB_NAME)
        c.fallback_cleanup(report)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

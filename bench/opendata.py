"""Figures at scale, on PostgreSQL with 1,000,000 ledger legs:

(0) the monthly totals rebuilt from the legs (`manage.py ledger_totals --rebuild`: the one
    full scan, as after an import; the posting service keeps them from then on);
(1) the annual report's figures (`reports.annual.annual_figures`) for the year: seconds,
    median of 3 (goal under 2 s), and the monthly flows the API serves (uncached);
(2) req/s of the transparency page (`/transparency/`, never cached) and of the open-data
    monthly figures endpoint (`/api/v1/flows/`, uncached and cached), gunicorn -w 2, against
    ../shared/perf/hello.py with pagebench.sh (3 rounds x 10 s each), side by side.

The legs are loaded with SQL as in bench.exports (500,000 balanced entries, posted this year).
Own database `wishpool_bench_opendata`, Redis DB 13 as the servers' cache (flushed).

Run from the project root: .venv/bin/python -m bench.opendata
"""

import shutil
import statistics
import tempfile
import time
from pathlib import Path

from bench import common as c
from bench.exports import load
from bench.wishboard import CACHE_URL, cache_flush, pagebench, warm

DB_NAME = "wishpool_bench_opendata"
RUNS = 3


def figures_seconds() -> None:
    from django.utils import timezone

    from api import selectors
    from reports.annual import annual_figures

    year = timezone.localdate().year
    for label, run in (
        (f"annual_figures({year})", lambda: annual_figures(year=year)),
        ("API monthly flows, 12 months (uncached)", lambda: selectors.flows(months=12, fund=None)),
    ):
        run()  # warm the connection and the plan
        samples = []
        for _ in range(RUNS):
            started = time.perf_counter()
            result = run()
            samples.append(time.perf_counter() - started)
        c.line(f"{label}, median of {RUNS}", f"{statistics.median(samples):.2f} s")
        if label.startswith("annual"):
            c.line(
                "  carried forward (a check the legs were read)", result["carried_forward"]["total"]
            )


def throughput(env: dict[str, str], tmp: Path) -> None:
    hello_env = {k: v for k, v in env.items() if k != "DJANGO_SETTINGS_MODULE"}
    hello_port = c.free_port()
    hello_url = f"http://127.0.0.1:{hello_port}/"
    print(
        "\n(2) req/s of /transparency/ and /api/v1/flows/, gunicorn config.wsgi -w 2 vs hello.py"
        " on gunicorn -w 2,"
        " pagebench.sh 3 rounds x 10 s each side, wrk -t2 -c16",
        flush=True,
    )
    hello = c.gunicorn(
        "hello:application", port=hello_port, env=hello_env, log=tmp / "hello.log", chdir=c.PERF_DIR
    )
    results = {}
    try:
        warm(hello_url)
        for label, path, seconds in (
            ("/transparency/ uncached", "/transparency/", 0),
            ("/api/v1/flows/ uncached", "/api/v1/flows/", 0),
            ("/api/v1/flows/ cached", "/api/v1/flows/", 60),
        ):
            server_env = {
                **env,
                "CACHE_URL": CACHE_URL,
                "WISHPOOL_API_CACHE_SECONDS": str(seconds),
                "WISHPOOL_API_RATE": "100000000/s",  # one client (wrk) asking as fast as it can
            }
            port = c.free_port()
            url = f"http://127.0.0.1:{port}{path}"
            cache_flush()
            log = tmp / f"{label.replace('/', '_').replace(' ', '_')}.log"
            server = c.gunicorn("config.wsgi", port=port, env=server_env, log=log)
            try:
                if seconds:
                    warm(url)
                print(f"  {label}", flush=True)
                results[label] = pagebench(url, hello_url)
            finally:
                c.stop(server)
    finally:
        c.stop(hello)
    print("\nsummary", flush=True)
    for label, (ours, floor) in results.items():
        c.line(
            label,
            f"{ours:.1f} req/s, hello {floor:.0f} req/s, ratio {ours / floor:.3f}",
        )


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="wishpool-bench-opendata-"))
    private_root = tmp / "private"
    env = c.bench_env(db_name=DB_NAME, private_root=private_root)
    report = None
    try:
        c.db_create(DB_NAME)
        c.migrate(env)
        print(f"open-data bench on database {DB_NAME}", flush=True)
        c.line("load average at start", c.load())
        started = time.perf_counter()
        load(c.database_url(DB_NAME))
        c.line("load (SQL)", f"{time.perf_counter() - started:.1f} s")
        report = c.django_setup(env, private_root=private_root)
        from charity.totals import totals_rebuild

        started = time.perf_counter()
        rows = totals_rebuild()
        c.line("(0) monthly totals rebuilt from the legs", f"{time.perf_counter() - started:.1f} s")
        c.line("    rows", str(rows))
        print("\n(1) figures over 1,000,000 legs, in-process", flush=True)
        figures_seconds()
        throughput(env, tmp)
        c.line("load average at end", c.load())
    finally:
        c.django_close()
        c.db_drop(DB_NAME)
        cache_flush()
        c.fallback_cleanup(report)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

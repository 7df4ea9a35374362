"""Public pages on the demo data (what `make run` seeds, here on PostgreSQL), req/s on gunicorn
-w 2 against ../shared/perf/hello.py with pagebench.sh (3 rounds x 10 s each side, wrk -t2
-c16), side by side in one run:

- /wishes/ with the board's page cache off (WISHPOOL_BOARD_CACHE_SECONDS=0) and on (60 s);
- /transparency/ and the home page (never cached as pages);
- /about/, a plain Wagtail page (a title and two paragraphs): what any page of this stack
  costs (routing, middleware, the base template), beside which the board's own work shows.

Own database `wishpool_bench_pages` (seeded by `manage.py seed_demo`), Redis DB 13 as the
servers' cache (flushed). Run from the project root: .venv/bin/python -m bench.pages
"""

import shutil
import subprocess
import tempfile
from pathlib import Path

from bench import common as c
from bench.wishboard import CACHE_URL, cache_flush, pagebench, warm

DB_NAME = "wishpool_bench_pages"

RUNS = (
    ("/wishes/ uncached", "/wishes/", 0),
    ("/wishes/ cached", "/wishes/", 60),
    ("/transparency/", "/transparency/", 0),
    ("home page", "/", 0),
    ("/about/ (plain Wagtail page)", "/about/", 0),
)


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="wishpool-bench-pages-"))
    env = c.bench_env(
        db_name=DB_NAME, private_root=tmp / "private", CELERY_TASK_ALWAYS_EAGER="true"
    )
    hello = None
    results: dict[str, tuple[float, float]] = {}
    try:
        c.db_create(DB_NAME)
        c.migrate(env)
        subprocess.run(
            [str(c.VENV_BIN / "python"), "manage.py", "seed_demo"],
            cwd=c.BASE_DIR,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        print(f"page bench on the demo data, database {DB_NAME}, cache {CACHE_URL}", flush=True)
        c.line("load average at start", c.load())
        hello_env = {k: v for k, v in env.items() if k != "DJANGO_SETTINGS_MODULE"}
        hello_port = c.free_port()
        hello_url = f"http://127.0.0.1:{hello_port}/"
        hello = c.gunicorn(
            "hello:application",
            port=hello_port,
            env=hello_env,
            log=tmp / "hello.log",
            chdir=c.PERF_DIR,
        )
        warm(hello_url)
        for label, path, seconds in RUNS:
            server_env = {
                **env,
                "CACHE_URL": CACHE_URL,
                "WISHPOOL_BOARD_CACHE_SECONDS": str(seconds),
            }
            port = c.free_port()
            url = f"http://127.0.0.1:{port}{path}"
            cache_flush()
            log = tmp / f"{label.replace('/', '_').replace(' ', '_')}.log"
            server = c.gunicorn("config.wsgi", port=port, env=server_env, log=log)
            try:
                warm(url)
                print(f"  {label}", flush=True)
                results[label] = pagebench(url, hello_url)
            finally:
                c.stop(server)
        print("\nsummary", flush=True)
        for label, (ours, floor) in results.items():
            c.line(label, f"{ours:.0f} req/s, hello {floor:.0f} req/s, ratio {ours / floor:.3f}")
        c.line("load average at end", c.load())
    finally:
        c.stop(hello)
        c.django_close()
        c.db_drop(DB_NAME)
        cache_flush()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

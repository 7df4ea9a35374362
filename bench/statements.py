"""The year-end batch: statements per second through a real Celery worker (2 PDF processes)
against the ceiling 2 x 1000 / floor ms, the floor being ../shared/perf/weasy_floor.py measured
in the same run (before and after).

Run from the project root: .venv/bin/python -m bench.statements [donors, default 10000]
"""

import shutil
import sys
import tempfile
import time
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from bench import common as c
from bench.receipts import weasy_floor_ms

DB_NAME = "wishpool_bench_statements"
CONCURRENCY = 2
TIMEOUT = 4 * 3600.0


def donors_of_last_year(count: int) -> int:
    """``count`` company donors, each with one gift booked last June, through the services."""
    from django.utils import timezone

    from charity.selectors import fund_general
    from donations.services import offline
    from tests.accounts import factories as f
    from tests.donations.helpers import company_donor

    admin = f.fund_administrator()
    year = timezone.localdate().year - 1
    real_now = timezone.now
    when = datetime(year, 6, 1, 10, 0, tzinfo=timezone.get_default_timezone())
    timezone.now = lambda: when  # the ledger and the receipts stamp "now"
    try:
        for i in range(count):
            offline.offline_income_record(
                donor=company_donor(),
                fund=fund_general(),
                amount=Decimal(100 + i % 900),
                method="bank_transfer",
                reference=f"BENCH{i:06d}",
                received_at=when,
                show_name=True,
                by=admin,
            )
    finally:
        timezone.now = real_now
    return year


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    tmp = Path(tempfile.mkdtemp(prefix="wishpool-bench-statements-"))
    private_root = tmp / "private"
    env = c.bench_env(db_name=DB_NAME, private_root=private_root)
    log = tmp / "worker.log"
    report = None
    try:
        c.db_create(DB_NAME)
        c.migrate(env)
        c.redis_flush()
        report = c.django_setup(env, private_root=private_root)
        from reports.models import Statement
        from reports.services import statements
        from tests.accounts import factories as f

        print(f"statements bench on database {DB_NAME}, broker {c.BROKER_URL}", flush=True)
        c.line("load average at start", c.load())
        t = time.perf_counter()
        year = donors_of_last_year(count)
        c.line(f"{count} donors with a gift in {year} recorded", f"{time.perf_counter() - t:.0f} s")
        c.redis_flush()  # the receipts' own render tasks are not what we measure
        floor_before = weasy_floor_ms()
        statements.statement_batch_start(year=year, by=f.fund_administrator())
        sent = Statement.objects.filter(emailed_at__isnull=False)
        worker = c.celery_worker("default,pdf", env=env, log=log, concurrency=CONCURRENCY)
        try:
            started = time.perf_counter()
            c.wait_for(
                lambda: sent.count() == count,
                timeout=TIMEOUT,
                interval=1.0,
                what=f"{count} statements sent",
                proc=worker,
                log=log,
            )
            elapsed = time.perf_counter() - started
        finally:
            c.stop(worker)
        floor_ms = (floor_before + weasy_floor_ms()) / 2
        stamps = list(sent.values_list("emailed_at", flat=True))
        steady = c.steady_rate(stamps)
        rate = count / elapsed
        ceiling = CONCURRENCY * 1000 / floor_ms
        print(f"\n{count} statements, celery worker -Q default,pdf --concurrency {CONCURRENCY}")
        c.line(
            "worker start -> all statements e-mailed", f"{elapsed / 60:.1f} min ({elapsed:.0f} s)"
        )
        c.line("statements per second (incl. worker start)", f"{rate:.2f} /s")
        if steady is not None:
            c.line("statements per second (first -> last mail)", f"{steady:.2f} /s")
            c.line("  per PDF process", f"{steady / CONCURRENCY:.2f} /s")
        c.line("weasy_floor.py median (before/after mean)", f"{floor_ms:.1f} ms")
        c.line(f"ceiling {CONCURRENCY} x 1000 / floor ms", f"{ceiling:.2f} /s")
        c.line("ratio statements/s / ceiling", f"{(steady or rate) / ceiling:.2f}")
        c.line("load average at end", c.load())
    finally:
        c.django_close()
        c.db_drop(DB_NAME)
        c.redis_flush()
        c.fallback_cleanup(report)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

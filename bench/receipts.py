"""Receipt PDFs: (a) ms per render in a warm process against the WeasyPrint floor,
(b) receipts per second through a real Celery worker on the pdf queue.

Run from the project root: .venv/bin/python -m bench.receipts
"""

import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import common as c

DB_NAME = "wishpool_bench_receipts"
FONT = "Noto Sans CJK SC"
WARMUPS = 3
RENDERS = 50
WORKER_RECEIPTS = 1000
WORKER_CONCURRENCY = 2
WORKER_TIMEOUT = 1800.0


def weasy_floor_ms() -> float:
    out = subprocess.run(
        [sys.executable, str(c.PERF_DIR / "weasy_floor.py"), FONT],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    match = re.search(r"median ([\d.]+) ms", out)
    if not match:
        raise RuntimeError(f"could not read the floor's median from: {out!r}")
    return float(match.group(1))


def gifts(count: int, *, donor, admin) -> list[int]:  # type: ignore[no-untyped-def]
    """Donations recorded through the services; returns their receipts' ids."""
    from donations.models import Receipt
    from tests.donations.helpers import offline_gift

    donation_ids = [
        offline_gift(donor=donor, admin=admin, amount="1234.56").pk for _ in range(count)
    ]
    ids = list(Receipt.objects.filter(donation_id__in=donation_ids).values_list("pk", flat=True))
    if len(ids) != count:
        raise RuntimeError(f"expected {count} receipts, found {len(ids)}")
    return ids


def part_a(*, donor, admin) -> float:  # type: ignore[no-untyped-def]
    """Returns the floor's mean median (measured before and after ours)."""
    from donations.models import Receipt
    from donations.pdf import receipt_pdf_bytes
    from donations.services.receipts import receipt_pdf_render

    ids = gifts(WARMUPS + RENDERS, donor=donor, admin=admin)
    floor_before = weasy_floor_ms()
    for receipt_id in ids[:WARMUPS]:
        receipt_pdf_render(receipt_id=receipt_id)
    related = ("donation__fund", "donor__organisation", "donor__user")
    samples, bytes_only = [], []
    for receipt_id in ids[WARMUPS:]:
        t = time.perf_counter()
        receipt_pdf_render(receipt_id=receipt_id)
        samples.append(time.perf_counter() - t)
        # Breakdown, interleaved so both see the same load: the PDF bytes alone
        # (no row fetch, file write, fsync or row update).
        receipt = Receipt.objects.select_related(*related).get(pk=receipt_id)
        t = time.perf_counter()
        receipt_pdf_bytes(receipt)
        bytes_only.append(time.perf_counter() - t)
    floor_after = weasy_floor_ms()
    floor_ms = (floor_before + floor_after) / 2
    ours = c.median_ms(samples)
    print(f"\n(a) one receipt PDF, warm process, {RENDERS} renders", flush=True)
    c.line("receipt_pdf_render median", f"{ours:.1f} ms (min {min(samples) * 1000:.1f})")
    c.line("  of which receipt_pdf_bytes median", f"{c.median_ms(bytes_only):.1f} ms")
    c.line(
        f"weasy_floor.py '{FONT}' median",
        f"{floor_ms:.1f} ms (before {floor_before:.1f}, after {floor_after:.1f})",
    )
    c.line("ratio ours / floor", f"{ours / floor_ms:.2f}")
    return floor_ms


def _db_stats() -> dict[str, int]:
    """This database's sessions opened, transactions and rows read so far (PostgreSQL)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sessions, xact_commit + xact_rollback, tup_returned + tup_fetched "
            "FROM pg_stat_database WHERE datname = current_database()"
        )
        sessions, transactions, rows = cursor.fetchone()
    return {"sessions": sessions, "transactions": transactions, "rows": rows}


def part_b(floor_ms: float, *, donor, admin, env: dict[str, str], log: Path) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection

    from donations.models import Receipt

    c.redis_flush()  # drop the render tasks part (a) queued
    t = time.perf_counter()
    ids = gifts(WORKER_RECEIPTS, donor=donor, admin=admin)
    created_s = time.perf_counter() - t
    queued = c.redis_queue_length("pdf")
    if queued != WORKER_RECEIPTS:
        raise RuntimeError(f"expected {WORKER_RECEIPTS} render tasks on 'pdf', found {queued}")
    pending = Receipt.objects.filter(pk__in=ids, pdf_rendered_at__isnull=True)
    # the rows just written are vacuumed and analysed now, not by autovacuum while measuring
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    cpu_before, db_before = c.cpu_seconds(), _db_stats()
    worker = c.celery_worker("pdf", env=env, log=log, concurrency=WORKER_CONCURRENCY)
    try:
        started = time.perf_counter()
        c.wait_for(
            lambda: not pending.exists(),
            timeout=WORKER_TIMEOUT,
            interval=0.25,
            what=f"{WORKER_RECEIPTS} receipts rendered",
            proc=worker,
            log=log,
        )
        elapsed = time.perf_counter() - started
        cpu = c.cpu_split(cpu_before, WORKER_RECEIPTS)
        db = {k: v - db_before[k] for k, v in _db_stats().items()}
    finally:
        c.stop(worker)
    stamps = list(Receipt.objects.filter(pk__in=ids).values_list("pdf_rendered_at", flat=True))
    steady = c.steady_rate(stamps)
    rate = WORKER_RECEIPTS / elapsed
    ideal = WORKER_CONCURRENCY * 1000 / floor_ms
    print(
        f"\n(b) {WORKER_RECEIPTS} receipts, celery -A config worker -Q pdf "
        f"--concurrency {WORKER_CONCURRENCY}",
        flush=True,
    )
    c.line("donations recorded (bench process, 1 thread)", f"{WORKER_RECEIPTS / created_s:.1f} /s")
    c.line("worker start -> all pdf_rendered_at set", f"{elapsed:.1f} s")
    c.line("receipts per second (incl. worker start)", f"{rate:.2f} /s")
    if steady is not None:
        c.line("receipts per second (first -> last render)", f"{steady:.2f} /s")
    spent = ", ".join(f"{kind} {ms:.1f}" for kind, ms in cpu if ms >= 0.05)
    c.line("CPU ms per receipt, by process (incl. start)", spent)
    c.line(
        "database sessions / transactions / rows read per receipt",
        " / ".join(f"{v / WORKER_RECEIPTS:.2f}" for v in db.values()),
    )
    c.line(
        f"derived ceiling: {WORKER_CONCURRENCY} x 1000 / floor ms", f"{ideal:.2f} /s (not measured)"
    )
    c.line("ratio receipts/s / derived ceiling", f"{rate / ideal:.2f}")


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="wishpool-bench-receipts-"))
    private_root = tmp / "private"
    env = c.bench_env(db_name=DB_NAME, private_root=private_root)
    report = None
    try:
        c.db_create(DB_NAME)
        c.migrate(env)
        c.redis_flush()
        report = c.django_setup(env, private_root=private_root)
        from tests.accounts import factories as f
        from tests.donations.helpers import company_donor

        donor, admin = company_donor(), f.fund_administrator()
        print(f"receipts bench on database {DB_NAME}, broker {c.BROKER_URL}", flush=True)
        c.line("load average at start", c.load())
        floor_ms = part_a(donor=donor, admin=admin)
        part_b(floor_ms, donor=donor, admin=admin, env=env, log=tmp / "worker.log")
        written = len(list(private_root.rglob("*.pdf"))) if report.private_root_honoured else None
        if written is not None:
            c.line("PDF files written", str(written))
        c.line("load average at end", c.load())
    finally:
        c.django_close()
        c.db_drop(DB_NAME)
        c.redis_flush()
        c.fallback_cleanup(report)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

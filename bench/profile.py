"""Where a page's time goes: pyinstrument over repeated requests, in-process (Django's test
client, DEBUG off, the board cache off), on a database of its own.

    .venv/bin/python -m bench.profile board    # /wishes/ at 200 and at 10,000 wishes
    .venv/bin/python -m bench.profile ledger   # /transparency/ and /api/v1/flows/ at 1M legs
    .venv/bin/python -m bench.profile webhook  # processing payment_intent.succeeded events
    .venv/bin/python -m bench.profile receipt  # rendering receipt PDFs as the worker does

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
from typing import Any

from bench import common as c

DB_NAME = "wishpool_bench_profile"
REQUESTS = int(os.environ.get("BENCH_PROFILE_REQUESTS", "200"))


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
    _flat(profiler)


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


def webhook() -> None:
    """Process stored payment_intent.succeeded events in this process, as a worker would
    (localstripe on loopback; follow-up tasks published to Redis, not run)."""
    from pyinstrument import Profiler

    from bench import webhook as wh
    from config.celery import app
    from donations.models import StripeEvent
    from donations.services import stripe_events
    from tests.donations import stripe_harness as h

    localstripe, base = h.start_localstripe()
    try:
        from django.conf import settings

        settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE = h.API_KEY, base
        settings.STRIPE_WEBHOOK_SECRET = h.WEBHOOK_SECRET
        wh.EVENTS = REQUESTS
        bodies = wh.paid_pledges(base)
        app.conf.task_always_eager = False
        ids = _acks(bodies)
        stripe_events.event_process(event_id=ids.pop())  # accounts and counters created
        _queries(ids.pop())
        plain, ids = ids[: len(ids) // 2], ids[len(ids) // 2 :]
        cpu, started = time.process_time(), time.perf_counter()
        for event_id in plain:
            stripe_events.event_process(event_id=event_id)
        c.line(
            f"{len(plain)} events unprofiled, this process",
            f"{(time.perf_counter() - started) / len(plain) * 1000:.1f} ms each, "
            f"CPU {(time.process_time() - cpu) / len(plain) * 1000:.1f} ms each",
        )
        profiler = Profiler(interval=0.0005)
        started = time.perf_counter()
        profiler.start()
        for event_id in ids:
            stripe_events.event_process(event_id=event_id)
        profiler.stop()
        took = time.perf_counter() - started
        done = StripeEvent.objects.filter(status=StripeEvent.Status.PROCESSED).count()
        c.line(f"{len(ids)} events, {done} processed", f"{took / len(ids) * 1000:.1f} ms each")
        _tree(profiler)
        _flat(profiler)
    finally:
        localstripe.terminate()
        localstripe.wait(timeout=10)


def receipt() -> None:
    """Render receipts as the PDF worker does (row, PDF, file, row), in this process: how
    the time splits between the PDF itself and the rest, then pyinstrument's tree."""
    from pyinstrument import Profiler

    from bench.receipts import gifts
    from donations.models import Receipt
    from donations.pdf import receipt_pdf_bytes
    from donations.services.receipts import receipt_pdf_render
    from tests.accounts import factories as f
    from tests.donations.helpers import company_donor

    count = REQUESTS // 4
    ids = gifts(count * 2 + 3, donor=company_donor(), admin=f.fund_administrator())
    for receipt_id in ids[:3]:
        receipt_pdf_render(receipt_id=receipt_id)
    plain, ids = ids[3 : 3 + count], ids[3 + count :]
    whole, pdf = [], []
    for receipt_id in plain:
        t = time.perf_counter()
        receipt_pdf_render(receipt_id=receipt_id)
        whole.append(time.perf_counter() - t)
        row = Receipt.objects.select_related(
            "donation__fund", "donor__organisation", "donor__user"
        ).get(pk=receipt_id)
        t = time.perf_counter()
        receipt_pdf_bytes(row)
        pdf.append(time.perf_counter() - t)
    c.line(f"{count} renders unprofiled: whole median", f"{c.median_ms(whole):.1f} ms")
    c.line("  of which the PDF bytes median", f"{c.median_ms(pdf):.1f} ms")
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for receipt_id in ids:
        receipt_pdf_render(receipt_id=receipt_id)
    profiler.stop()
    _tree(profiler)
    _flat(profiler)


def _queries(event_id: int) -> None:
    """Print the SQL one event's processing sends, in order (the worker's own cost)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from donations.services import stripe_events

    with CaptureQueriesContext(connection) as captured:
        stripe_events.event_process(event_id=event_id)
    c.line("queries for one event", str(len(captured.captured_queries)))
    for query in captured.captured_queries:
        print(f"    {query['sql'][:150]}", flush=True)


def _acks(bodies: list[bytes]) -> list[int]:
    """POST each event to the webhook through Django's test client, profiled; their ids."""
    from django.test import Client
    from pyinstrument import Profiler

    from donations.models import StripeEvent
    from tests.donations import stripe_harness as h

    client = Client()
    profiler = Profiler(interval=0.0005)
    started = time.perf_counter()
    profiler.start()
    for body in bodies:
        client.post(
            "/stripe/webhook/",
            data=body,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=h.sign(body),
        )
    profiler.stop()
    took = time.perf_counter() - started
    c.line(f"{len(bodies)} events acknowledged", f"{took / len(bodies) * 1000:.1f} ms each")
    _tree(profiler)
    return list(StripeEvent.objects.order_by("pk").values_list("pk", flat=True))


def _tree(profiler: Any) -> None:
    print(
        profiler.output_text(unicode=True, color=False, time="percent_of_total")
        .replace("\n\n", "\n")
        .strip()[:14000],
        flush=True,
    )


def _flat(profiler: Any) -> None:
    from pyinstrument.renderers import ConsoleRenderer

    flat = profiler.output(ConsoleRenderer(flat=True, time="percent_of_total", show_all=True))
    print("  top functions by own time:", flush=True)
    print("\n".join(flat.strip().splitlines()[5:45]), flush=True)


def main() -> None:
    what = sys.argv[1] if len(sys.argv) > 1 else "board"
    if what not in ("board", "ledger", "webhook", "receipt"):
        raise SystemExit("usage: python -m bench.profile board|ledger|webhook|receipt")
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
        {"board": board, "ledger": ledger, "webhook": webhook, "receipt": receipt}[what]()
    finally:
        c.django_close()
        if not os.environ.get("BENCH_KEEP"):
            c.db_drop(DB_NAME)
        c.fallback_cleanup(report)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

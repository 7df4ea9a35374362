"""Stripe webhooks: events per second accepted by /stripe/webhook/ on gunicorn -w 2 (against
hello.py on the same gunicorn and client), and events per second processed by a real worker
(its dispatchers claim the stored events in batches).

Run from the project root: .venv/bin/python -m bench.webhook
"""

import json
import os
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

import requests

from bench import common as c
from bench.wishboard import CACHE_URL, cache_flush
from charity.selectors import fund_general
from tests.donations import stripe_harness as h

DB_NAME = "wishpool_bench_webhook"
EVENTS = 500
CLIENT_THREADS = 16  # as pagebench.sh's wrk -c16
WARMUP_REQUESTS = 50
HELLO_REQUESTS = 2000
# as site/deploy/wishpool-worker.service.example runs the default queue: each event waits on
# Stripe for part of its time, so more processes than CPUs keep the CPUs busy
WORKER_CONCURRENCY = int(os.environ.get("BENCH_WORKER_CONCURRENCY", "4"))
WORKER_TIMEOUT = 900.0

_local = threading.local()


def _session() -> requests.Session:
    if not hasattr(_local, "session"):
        _local.session = requests.Session()
    return _local.session


def post_event(url: str, body: bytes) -> tuple[int, float, dict[str, Any]]:
    headers = {"Content-Type": "application/json", "Stripe-Signature": h.sign(body)}
    t = time.perf_counter()
    response = _session().post(url, data=body, headers=headers, timeout=30)
    elapsed = time.perf_counter() - t
    try:
        answer = response.json()
    except ValueError:
        answer = {}
    return response.status_code, elapsed, answer


def get(url: str, _: object = None) -> tuple[int, float, dict[str, Any]]:
    t = time.perf_counter()
    response = _session().get(url, timeout=30)
    return response.status_code, time.perf_counter() - t, {}


def hammer(
    call: Callable[[str, Any], tuple[int, float, dict[str, Any]]], url: str, items: list[Any]
) -> tuple[float, list[tuple[int, float, dict[str, Any]]]]:
    """Send every item with CLIENT_THREADS threads; return (seconds, results)."""
    with ThreadPoolExecutor(CLIENT_THREADS) as pool:
        t = time.perf_counter()
        results = list(pool.map(lambda item: call(url, item), items))
        return time.perf_counter() - t, results


def latency(results: list[tuple[int, float, dict[str, Any]]]) -> str:
    times = sorted(r[1] for r in results)
    p95 = times[int(len(times) * 0.95) - 1]
    return f"median {statistics.median(times) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"


def paid_pledges(base: str) -> list[bytes]:
    """EVENTS pledges of a member company, each paid by a PaymentIntent in localstripe;
    returns the signed-to-be bodies of their payment_intent.succeeded events."""
    from donations.services import pledges
    from tests.accounts import factories as f

    org = f.organisation()
    rep = org.memberships.get().user
    fund = fund_general()
    world = h.Stripe(base, h.CheckoutBoundary())
    bodies = []
    for i in range(EVENTS):
        pledge = pledges.pledge_create(
            user=rep,
            organisation=org,
            kind="money",
            fund=fund,
            show_name=True,
            amount=Decimal(100 + i),
        )
        intent = world.pay(amount_minor=(100 + i) * 100, metadata={"pledge_id": str(pledge.pk)})
        if intent["status"] != "succeeded":
            raise RuntimeError(f"localstripe left {intent['id']} {intent['status']}")
        bodies.append(json.dumps(h.event("payment_intent.succeeded", intent)).encode())
    return bodies


def accept(port: int, bodies: list[bytes], env: dict[str, str], log: Path) -> float:
    from donations.models import StripeEvent

    url = f"http://127.0.0.1:{port}/stripe/webhook/"
    server = c.gunicorn("config.wsgi", port=port, env=env, log=log)
    try:
        # Warm both workers on the same view with events that fail the signature check.
        _, warm = hammer(post_event, url, [b'{"id": "evt_warm"}'] * WARMUP_REQUESTS)
        if any(status != 400 for status, _, _ in warm):
            raise RuntimeError(f"warm-up expected 400s, got {sorted({r[0] for r in warm})}")
        elapsed, results = hammer(post_event, url, bodies)
    finally:
        c.stop(server)
    accepted = sum(1 for status, _, a in results if status == 200 and a.get("duplicate") is False)
    stored = StripeEvent.objects.count()
    queued = c.redis_queue_length("default")
    rate = accepted / elapsed
    print(f"\naccepting {EVENTS} signed events, gunicorn config.wsgi -w 2", flush=True)
    c.line("accepted (200, not duplicate)", f"{accepted} of {EVENTS}; {stored} rows stored")
    c.line("dispatcher messages on 'default'", str(queued))
    c.line("elapsed", f"{elapsed:.2f} s")
    c.line("events accepted per second", f"{rate:.1f} /s")
    c.line("latency", latency(results))
    if accepted != EVENTS or stored != EVENTS or not 1 <= queued < EVENTS:
        raise RuntimeError("not every event was accepted and stored, or no dispatcher queued")
    return rate


def process(env: dict[str, str], log: Path) -> None:
    from django.db.models import Count

    from donations.models import Donation, StripeEvent

    done = StripeEvent.objects.filter(status=StripeEvent.Status.PROCESSED)
    cpu_before = c.cpu_seconds()
    worker = c.celery_worker("default", env=env, log=log, concurrency=WORKER_CONCURRENCY)
    try:
        started = time.perf_counter()
        c.wait_for(
            lambda: done.count() == EVENTS,
            timeout=WORKER_TIMEOUT,
            interval=0.25,
            what=f"{EVENTS} events processed",
            proc=worker,
            log=log,
        )
        elapsed = time.perf_counter() - started
        cpu = c.cpu_split(cpu_before, EVENTS)
    finally:
        c.stop(worker)
    statuses = {
        row["status"]: row["n"]
        for row in StripeEvent.objects.values("status").annotate(n=Count("pk"))
    }
    steady = c.steady_rate(list(done.values_list("processed_at", flat=True)))
    print(
        f"\nprocessing, celery -A config worker -Q default --concurrency {WORKER_CONCURRENCY}",
        flush=True,
    )
    c.line("event statuses", ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())))
    c.line("donations recorded", str(Donation.objects.count()))
    c.line("render_receipt messages left on 'pdf'", str(c.redis_queue_length("pdf")))
    c.line("worker start -> all processed", f"{elapsed:.1f} s")
    c.line("events processed per second (incl. start)", f"{EVENTS / elapsed:.1f} /s")
    if steady is not None:
        c.line("events processed per second (first -> last)", f"{steady:.1f} /s")
    spent = ", ".join(f"{kind} {ms:.1f}" for kind, ms in cpu if ms >= 0.05)
    c.line("CPU ms per event, by process", spent)
    total = sum(ms for _, ms in cpu)
    c.line(
        "CPU ms per event, all of them",
        f"{total:.1f} (at 100 events/s {os.cpu_count()} CPUs allow {os.cpu_count() * 10:.0f})",
    )
    start_ms = worker_start_cpu(env, log.with_name("worker-idle.log")) * 1000 / EVENTS
    stripe_ms = dict(cpu).get("localstripe", 0.0)
    steady_ms = total - start_ms - stripe_ms
    c.line("worker start, measured alone, per event", f"{start_ms:.1f} ms of CPU")
    c.line(
        "CPU ms per event, less start and localstripe",
        f"{steady_ms:.1f} (Stripe's own servers answer in production): "
        f"{os.cpu_count()} CPUs allow {(os.cpu_count() or 1) * 1000 / steady_ms:.0f} events/s "
        "(arithmetic)",
    )


def worker_start_cpu(env: dict[str, str], log: Path) -> float:
    """CPU seconds a worker like the one above spends starting (Django, Celery, its pool), on
    a queue with nothing in it, until it says it is ready: part of the CPU per event above,
    though not of the rate from the first event to the last."""
    cpu_before = c.cpu_seconds()
    worker = c.start(
        [
            str(c.VENV_BIN / "celery"),
            "-A",
            "config",
            "worker",
            "-Q",
            "bench-idle",
            "--concurrency",
            str(WORKER_CONCURRENCY),
            "--loglevel",
            "INFO",
        ],
        env=env,
        log=log,
    )
    try:
        c.wait_for(
            lambda: " ready." in log.read_text(errors="replace"),
            timeout=120,
            what="an idle worker ready",
            proc=worker,
            log=log,
        )
        time.sleep(1)  # the pool's processes finish their own start
        milliseconds = dict(c.cpu_split(cpu_before, units=1)).get("celery worker", 0.0)
        return milliseconds / 1000
    finally:
        c.stop(worker)


WRK_EVENTS = 6000
WRK_SECONDS = 5


def accept_wrk(port: int, env: dict[str, str], tmp: Path) -> float | None:
    """Acknowledgements per second with a client that is not the bottleneck: wrk -t2 -c16
    posting WRK_EVENTS distinct pre-signed events (an event type we do not act on) for
    WRK_SECONDS; every request must be a new event, answered 200 and stored."""
    from donations.models import StripeEvent

    if shutil.which("wrk") is None:
        print("\n(wrk is not installed: the wrk acknowledgement run is left out)", flush=True)
        return None
    lines = []
    for _ in range(WRK_EVENTS):
        body = json.dumps(h.event("customer.updated", {"id": "cus_bench", "object": "customer"}))
        lines.append(f"{h.sign(body.encode())}\t{body}")
    events_file = tmp / "events.tsv"
    events_file.write_text("\n".join(lines) + "\n")
    before = StripeEvent.objects.count()
    url = f"http://127.0.0.1:{port}/stripe/webhook/"
    server = c.gunicorn("config.wsgi", port=port, env=env, log=tmp / "gunicorn-wrk.log")
    try:
        hammer(post_event, url, [b'{"id": "evt_warm"}'] * WARMUP_REQUESTS)
        out = subprocess.run(
            ["wrk", "-t2", "-c16", f"-d{WRK_SECONDS}s", "-s", str(LUA), url],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "WEBHOOK_EVENTS": str(events_file), "WEBHOOK_THREADS": "2"},
        ).stdout
    finally:
        c.stop(server)
    stored = StripeEvent.objects.count() - before
    sent = int(out.split(" requests in ")[0].split()[-1])
    rate = float(out.split("Requests/sec:")[1].split()[0])
    errors = [row.strip() for row in out.splitlines() if "Non-2xx" in row or "Socket errors" in row]
    print(f"\naccepting with wrk -t2 -c16 -d{WRK_SECONDS}s, distinct pre-signed events", flush=True)
    c.line("requests sent / new events stored", f"{sent} / {stored}")
    c.line("events accepted per second (wrk)", f"{rate:.1f} /s")
    if errors or not sent <= stored <= sent + 16:  # those in flight when wrk stopped count too
        raise RuntimeError(f"not every request was a stored new event: {errors}, {stored}/{sent}")
    return rate


LUA = Path(__file__).resolve().parent / "lua" / "webhook.lua"


def hello_floor(port: int, log: Path) -> tuple[float, float | None]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    server = c.gunicorn("hello:application", port=port, env=env, log=log, chdir=c.PERF_DIR)
    url = f"http://127.0.0.1:{port}/"
    try:
        hammer(get, url, [None] * WARMUP_REQUESTS)
        elapsed, results = hammer(get, url, [None] * HELLO_REQUESTS)
        wrk = _wrk(url)
    finally:
        c.stop(server)
    ok = sum(1 for status, _, _ in results if status == 200)
    if ok != HELLO_REQUESTS:
        raise RuntimeError(f"hello answered {ok} of {HELLO_REQUESTS} with 200")
    rate = HELLO_REQUESTS / elapsed
    print(f"\nfloor: hello.py on gunicorn -w 2, {HELLO_REQUESTS} GETs, same client", flush=True)
    c.line("hello requests per second", f"{rate:.1f} /s")
    c.line("latency", latency(results))
    if wrk:
        c.line("wrk -t2 -c16 -d10s", f"{wrk} req/s")
    return rate, float(wrk) if wrk else None


def _wrk(url: str) -> str | None:
    if shutil.which("wrk") is None:
        return None
    out = subprocess.run(
        ["wrk", "-t2", "-c16", "-d10s", url], capture_output=True, text=True, check=False
    ).stdout
    for row in out.splitlines():
        if row.startswith("Requests/sec:"):
            return row.split()[1]
    return None


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="wishpool-bench-webhook-"))
    private_root = tmp / "private"
    localstripe = None
    report = None
    try:
        localstripe, base = h.start_localstripe()
        env = c.bench_env(
            db_name=DB_NAME,
            private_root=private_root,
            STRIPE_SECRET_KEY=h.API_KEY,
            STRIPE_WEBHOOK_SECRET=h.WEBHOOK_SECRET,
            STRIPE_API_BASE=base,
            CACHE_URL=CACHE_URL,  # shared by web and worker processes, as in production
        )
        c.db_create(DB_NAME)
        c.migrate(env)
        c.redis_flush()
        report = c.django_setup(env, private_root=private_root)
        cache_flush()
        if not report.eager_honoured:
            raise SystemExit("stopping: the webhook would process events inline (see above)")
        print(f"webhook bench on database {DB_NAME}, localstripe {base}", flush=True)
        c.line("load average at start", c.load())
        t = time.perf_counter()
        bodies = paid_pledges(base)
        c.line("pledges + localstripe PaymentIntents made", f"{time.perf_counter() - t:.1f} s")
        accepted = accept(c.free_port(), bodies, env, tmp / "gunicorn.log")
        process(env, tmp / "worker.log")
        fast = accept_wrk(c.free_port(), env, tmp)
        c.redis_flush()  # the wrk run's events are not processed here
        hello, hello_wrk = hello_floor(c.free_port(), tmp / "hello.log")
        print("\nratio", flush=True)
        c.line("accepted events/s / hello req/s (same Python client)", f"{accepted / hello:.2f}")
        if fast and hello_wrk:
            c.line("accepted events/s / hello req/s (wrk)", f"{fast / hello_wrk:.3f}")
        c.line("load average at end", c.load())
    finally:
        cache_flush()
        c.django_close()
        c.db_drop(DB_NAME)
        c.redis_flush()
        if localstripe is not None:
            localstripe.terminate()
            localstripe.wait(timeout=10)
        c.fallback_cleanup(report)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

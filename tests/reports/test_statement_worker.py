"""Statements for 300 donors through a real Celery worker on Redis, the worker killed halfway
with SIGKILL, a new worker started and the batch started again: every donor has exactly one
statement and at most one mail, every donor with an address exactly one unless the kill landed
mid-send (then listed, not sent twice), and failures are listed with their reasons."""

import os
import signal
import subprocess
from collections import Counter
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from core.files import private_path
from reports import selectors
from reports.models import Statement
from reports.services import statements
from tests.accounts import factories as f
from tests.core.worker import celery_worker, wait_for
from tests.reports.statement_helpers import gifts_in, mails_in

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.cjk_pdf,
    pytest.mark.xdist_group("worker"),
]

DONORS = 300
NO_ADDRESS = 3
LAST_YEAR = timezone.localdate().year - 1


def _purge(*queues: str) -> None:
    from config.celery import app

    with app.connection_for_write() as conn:
        for queue in queues:
            conn.default_channel.queue_purge(queue)


@pytest.mark.parametrize("broker", ["redis"], indirect=True)
@pytest.mark.django_db(transaction=True)
def test_batch_of_300_survives_a_killed_worker(
    broker, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    private, outbox = tmp_path / "private", tmp_path / "mail"
    outbox.mkdir()
    settings.PRIVATE_MEDIA_ROOT = str(private)
    office = f.fund_administrator()
    with django_capture_on_commit_callbacks(execute=False):  # the receipts' PDFs are not needed
        donors = gifts_in(
            monkeypatch,
            LAST_YEAR,
            [str(100 + i) for i in range(DONORS)],
            admin=office,
            without_address=NO_ADDRESS,
        )
    env = {"WISHPOOL_PRIVATE_MEDIA_ROOT": str(private), "TEST_EMAIL_FILE_PATH": str(outbox)}
    _purge("default", "pdf")
    sent = Statement.objects.filter(emailed_at__isnull=False)

    with celery_worker(extra_env=env, queues=["default", "pdf"], concurrency=2) as (proc, _q):
        statements.statement_batch_start(year=LAST_YEAR, by=office)
        wait_for(lambda: sent.count() >= DONORS // 3, timeout=300)
        for pid in [*_children(proc.pid), proc.pid]:  # the pool and its parent, at once
            os.kill(pid, signal.SIGKILL)
        proc.wait(timeout=10)
    at_kill = sent.count()
    assert at_kill < DONORS - NO_ADDRESS, "the kill must land while work was still running"

    _purge("default", "pdf")  # what the dead worker held stays unacked; drop the rest too
    with celery_worker(extra_env=env, queues=["default", "pdf"], concurrency=2):
        batch = statements.statement_batch_start(year=LAST_YEAR, by=office)
        settled = Statement.objects.filter(batch=batch).exclude(emailed_at__isnull=True, failure="")
        wait_for(lambda: settled.count() + _mid_send(batch) == DONORS, timeout=600, interval=0.5)

    rows = list(Statement.objects.filter(batch=batch).select_related("donor"))
    assert sorted(r.donor_id for r in rows) == sorted(d.pk for d in donors)  # one each
    interrupted = {r.donor_id for r in rows if r.sending_at and not r.emailed_at}
    assert len(interrupted) <= 2, "at most one send per pool process can be cut off"
    mails = Counter(m["To"] for m in mails_in(outbox))
    assert all(n == 1 for n in mails.values()), "a statement was mailed twice"
    for row in rows:
        assert private_path(row.pdf).read_bytes().startswith(b"%PDF")
        if row.donor in donors[:NO_ADDRESS]:
            assert row.failure == Statement.Failure.NO_ADDRESS and row.emailed_at is None
        elif row.donor_id not in interrupted:
            assert mails[row.emailed_to] == 1
    # a send cut off between the mail leaving and its row being marked may have gone out:
    # it is listed for staff to check, never sent again
    assert DONORS - NO_ADDRESS - len(interrupted) <= len(mails) <= DONORS - NO_ADDRESS
    failures = list(selectors.batch_failures(batch, stuck_after=timedelta(0)))
    assert len(failures) == NO_ADDRESS + len(interrupted)
    assert all(r.failure_reason for r in failures)
    assert not list(private.rglob("*.part"))


def _mid_send(batch) -> int:  # type: ignore[no-untyped-def]
    return Statement.objects.filter(
        batch=batch, sending_at__isnull=False, emailed_at__isnull=True, failure=""
    ).count()


def _children(pid: int) -> list[int]:
    out = subprocess.run(
        ["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False
    ).stdout
    return [int(p) for p in out.split()]

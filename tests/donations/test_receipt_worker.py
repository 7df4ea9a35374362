"""A real Celery worker on RabbitMQ and on Redis renders receipts; killed mid-run, it redoes
the work once."""

import os
import signal
import subprocess

import pytest
from django.conf import settings

from core.files import private_path
from core.models import TaskDelivery
from donations import tasks
from donations.models import Receipt
from donations.services.receipts import receipt_name
from tests.core.worker import celery_worker, wait_for
from tests.donations.helpers import offline_gift

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.cjk_pdf,
    pytest.mark.xdist_group("worker"),
]


def _children(pid: int) -> list[int]:
    out = subprocess.run(
        ["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False
    ).stdout
    return [int(p) for p in out.split()]


@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_render_produces_one_pdf_per_receipt(
    broker, tmp_path, django_capture_on_commit_callbacks
):
    private = tmp_path / "private"
    settings.PRIVATE_MEDIA_ROOT = str(private)
    with django_capture_on_commit_callbacks(execute=False):  # we enqueue the renders ourselves
        receipts = [offline_gift(amount=str(100 + i)).receipts.get() for i in range(12)]
    env = {"WISHPOOL_PRIVATE_MEDIA_ROOT": str(private)}
    with celery_worker(extra_env=env) as (proc, queue):
        for receipt in receipts:
            tasks.render_receipt.apply_async(
                args=[receipt.pk], kwargs={"email": False}, queue=queue
            )
        started = wait_for(
            lambda: TaskDelivery.objects.filter(task_name="donations.tasks.render_receipt").first(),
            timeout=60,
            interval=0.005,
        )
        rendered_at_kill = Receipt.objects.filter(pdf_rendered_at__isnull=False).count()
        killed = _children(proc.pid)
        assert killed, "the worker has no pool process to kill"
        for pid in killed:
            os.kill(pid, signal.SIGKILL)
        wait_for(
            lambda: Receipt.objects.filter(pdf_rendered_at__isnull=False).count() == len(receipts),
            timeout=120,
        )
        wait_for(lambda: not TaskDelivery.objects.exists(), timeout=30)
        assert proc.poll() is None
    assert rendered_at_kill < len(receipts), "the kill must land while work was still running"
    assert started.key
    for receipt in receipts:
        receipt.refresh_from_db()
        path = private_path(receipt_name(receipt))
        assert path.read_bytes().startswith(b"%PDF")
        assert [p.name for p in path.parent.glob(f"{receipt.number}*")] == [path.name]
    assert not list(private.rglob("*.part"))

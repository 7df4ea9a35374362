"""Reads of the reports layer that decide what staff see of the year-end batch."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from reports.models import Statement, StatementBatch


def statements_to_send(*, batch_id: int) -> list[int]:
    """The statements whose mail has not been started: what a (re)start queues."""
    return list(
        Statement.objects.filter(batch_id=batch_id, sending_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _stuck(stuck_after: timedelta | None) -> Q:
    """A send started long enough ago and never finished: its worker died mid-send."""
    if stuck_after is None:
        stuck_after = timedelta(seconds=settings.WISHPOOL_SEND_STUCK_SECONDS)
    return Q(sending_at__lte=timezone.now() - stuck_after, emailed_at__isnull=True)


def batch_progress(
    batch: StatementBatch, *, stuck_after: timedelta | None = None
) -> dict[str, int]:
    counts = Statement.objects.filter(batch=batch).aggregate(
        total=Count("pk"),
        sent=Count("pk", filter=Q(emailed_at__isnull=False)),
        made=Count("pk", filter=Q(rendered_at__isnull=False)),
        failed=Count("pk", filter=~Q(failure="") | _stuck(stuck_after)),
    )
    return {key: int(value or 0) for key, value in counts.items()}


def batch_failures(
    batch: StatementBatch, *, stuck_after: timedelta | None = None
) -> "QuerySet[Statement]":
    """Statements that did not go out, with why; an interrupted send counts once it is
    ``stuck_after`` old."""
    return (
        Statement.objects.filter(batch=batch)
        .filter(~Q(failure="") | _stuck(stuck_after))
        .select_related("donor__user", "donor__organisation")
        .order_by("pk")
    )


def batches() -> "QuerySet[StatementBatch]":
    return StatementBatch.objects.select_related("started_by").order_by("-year")

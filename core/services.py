from typing import Any

from django.db import transaction
from django.db.models import F

from core.models import TaskDelivery, TaskQuarantine


def task_delivery_count(*, key: str, task_name: str) -> int:
    """Count one more start of a task attempt and return the total, committed at once.

    It is committed before the task body runs, so the count survives the worker's death.
    """
    with transaction.atomic():
        delivery, _ = TaskDelivery.objects.get_or_create(key=key, defaults={"task_name": task_name})
        TaskDelivery.objects.filter(pk=delivery.pk).update(count=F("count") + 1)
        delivery.refresh_from_db(fields=["count"])
        return delivery.count


def task_delivery_clear(*, key: str) -> None:
    TaskDelivery.objects.filter(key=key).delete()


def task_quarantine(
    *,
    task_id: str,
    task_name: str,
    args: list[Any],
    kwargs: dict[str, Any],
    deliveries: int,
    error: str,
) -> TaskQuarantine:
    """Set a message aside with its error; a repeat keeps the first record."""
    with transaction.atomic():
        record, _ = TaskQuarantine.objects.get_or_create(
            task_id=task_id,
            defaults={
                "task_name": task_name,
                "args": args,
                "kwargs": kwargs,
                "deliveries": deliveries,
                "error": error,
            },
        )
        TaskDelivery.objects.filter(key__startswith=f"{task_id}:").delete()
        return record

"""The base class of every task, and the poison-message guard.

With ``acks_late`` and ``task_reject_on_worker_lost`` a message whose worker dies is
requeued, without limit. GuardedTask counts how often each attempt has started (in
the database, committed before the body runs); past CELERY_MAX_DELIVERIES it records
the message in core.TaskQuarantine and acknowledges it, so the worker goes on.
"""

import logging
from typing import Any

from celery.contrib.django.task import DjangoTask
from django.conf import settings

logger = logging.getLogger(__name__)


class GuardedTask(DjangoTask):
    autoretry_for = ()
    retry_backoff = True
    retry_jitter = True

    @property
    def retry_backoff_max(self) -> int:  # type: ignore[override]
        return int(settings.CELERY_MAX_RETRY_DELAY)

    def _delivery_key(self) -> str:
        return f"{self.request.id}:{self.request.retries}"

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.request.is_eager or not self.request.id:
            return super().__call__(*args, **kwargs)
        from core import services

        key = self._delivery_key()
        count = services.task_delivery_count(key=key, task_name=self.name)
        limit = int(settings.CELERY_MAX_DELIVERIES)
        if count > limit:
            error = (
                f"The worker died {count - 1} times while running this task "
                f"(killed by a signal or out of memory); set aside after {limit} deliveries."
            )
            logger.error("Task %s[%s] set aside: %s", self.name, self.request.id, error)
            services.task_quarantine(
                task_id=str(self.request.id),
                task_name=self.name,
                args=list(args),
                kwargs=dict(kwargs),
                deliveries=count,
                error=error,
            )
            return None
        return super().__call__(*args, **kwargs)

    def after_return(
        self, status: str, retval: Any, task_id: str, args: Any, kwargs: Any, einfo: Any
    ) -> None:
        if not self.request.is_eager and task_id:
            from core import services

            services.task_delivery_clear(key=self._delivery_key())
        super().after_return(status, retval, task_id, args, kwargs, einfo)

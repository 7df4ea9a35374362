from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskDelivery(models.Model):
    """How many times one attempt of a task message has been started.

    A late-acknowledged message whose worker dies is delivered again; counting the
    starts lets us set aside a message that kills its worker every time.
    """

    key = models.CharField(max_length=255, unique=True)
    task_name = models.CharField(max_length=200)
    count = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.key} x{self.count}"


class TaskQuarantine(models.Model):
    """A task message set aside after killing its worker too often; kept for staff."""

    task_id = models.CharField(_("task id"), max_length=255, unique=True)
    task_name = models.CharField(_("task"), max_length=200)
    args = models.JSONField(default=list, verbose_name=_("arguments"))
    kwargs = models.JSONField(default=dict, verbose_name=_("keyword arguments"))
    deliveries = models.PositiveIntegerField(_("deliveries"))
    error = models.TextField(_("error"))
    created_at = models.DateTimeField(_("set aside at"), auto_now_add=True)

    class Meta:
        verbose_name = _("task set aside")
        verbose_name_plural = _("tasks set aside")

    def __str__(self) -> str:
        return f"{self.task_name} {self.task_id}"


class Transition(models.Model):
    """Every state change of a domain object: who, from, to, when, why. Never edited."""

    object_type = models.CharField(
        max_length=60, verbose_name=_("object type")
    )  # e.g. "donations.pledge"
    object_id = models.CharField(max_length=40, verbose_name=_("object id"))
    from_state = models.CharField(max_length=30, blank=True, verbose_name=_("from"))
    to_state = models.CharField(max_length=30, verbose_name=_("to"))
    # The user's id, not a foreign key: core sits below accounts and imports no app.
    # Users are never deleted (every reference to them is PROTECT), so the id stays meaningful.
    by_id = models.PositiveBigIntegerField(null=True, blank=True, verbose_name=_("by (user id)"))
    reason = models.CharField(max_length=255, blank=True, verbose_name=_("reason"))
    at = models.DateTimeField(auto_now_add=True, verbose_name=_("when"))

    class Meta:
        verbose_name = _("state change")
        verbose_name_plural = _("state changes")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.object_type}#{self.object_id} {self.from_state}→{self.to_state}"

from django.contrib import admin

from core.models import TaskQuarantine


@admin.register(TaskQuarantine)
class TaskQuarantineAdmin(admin.ModelAdmin):
    list_display = ["task_name", "task_id", "deliveries", "created_at"]
    readonly_fields = [
        "task_name",
        "task_id",
        "args",
        "kwargs",
        "deliveries",
        "error",
        "created_at",
    ]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

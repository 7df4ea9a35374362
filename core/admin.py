"""Django admin basics: read-only registrations (every change goes through a service)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from core.models import TaskQuarantine


class ReadOnlyAdminMixin:
    """Look, never touch: no add, change or delete, whoever asks (superusers too)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyModelAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    pass


class ReadOnlyTabularInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    max_num = 0
    can_delete = False


@admin.register(TaskQuarantine)
class TaskQuarantineAdmin(ReadOnlyModelAdmin):
    list_display = ["task_name", "task_id", "deliveries", "created_at"]

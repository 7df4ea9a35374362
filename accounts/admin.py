"""Django admin for people and places: read-only. Staff create stations, approve companies and
manage roles through the Wagtail admin's screens, which call accounts.services."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Organisation, Resident, Station, User, Warehouse
from core.admin import ReadOnlyAdminMixin, ReadOnlyModelAdmin, ReadOnlyTabularInline


@admin.register(User)
class UserAdmin(ReadOnlyAdminMixin, BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "kind", "station", "is_staff", "is_active"]
    list_filter = ["kind", "is_staff", "is_active", "groups"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email"]}),
        (_("Profile"), {"fields": ["full_name", "kind", "language", "station"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]


class MembershipInline(ReadOnlyTabularInline):
    model = Membership
    fields = ["user", "role", "joined_at"]
    readonly_fields = ["user", "role", "joined_at"]


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyModelAdmin):
    list_display = ["display_name", "legal_name", "contact_name", "approved_at"]
    search_fields = ["display_name", "legal_name"]
    inlines = [MembershipInline]


@admin.register(Station)
class StationAdmin(ReadOnlyModelAdmin):
    list_display = ["name", "district", "address", "is_active"]


@admin.register(Warehouse)
class WarehouseAdmin(ReadOnlyModelAdmin):
    list_display = ["name", "is_main", "station"]


@admin.register(Resident)
class ResidentAdmin(ReadOnlyModelAdmin):
    """Public side only: the private record is read through the station's screens."""

    list_display = ["pseudonym", "coarse_area", "station"]
    list_filter = ["station"]
    fields = ["pseudonym", "coarse_area", "station", "birth_year"]

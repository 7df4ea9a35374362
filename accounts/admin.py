from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Organisation, Resident, Station, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "kind", "station", "is_staff", "is_active"]
    list_filter = ["kind", "is_staff", "is_active", "groups"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Profile"), {"fields": ["full_name", "kind", "language", "station"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["display_name", "legal_name", "contact_name", "approved_at"]
    search_fields = ["display_name", "legal_name"]
    inlines = [MembershipInline]


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    list_display = ["name", "district", "address", "is_active"]


@admin.register(Resident)
class ResidentAdmin(admin.ModelAdmin):
    """Public side only: the private record is read through the station's screens."""

    list_display = ["pseudonym", "coarse_area", "station"]
    list_filter = ["station"]
    fields = ["pseudonym", "coarse_area", "station", "birth_year"]
    readonly_fields = ["station"]

"""Django admin: donations and the ledger are read-only here (every change goes through the
services and the fund administrators' screens in /cms/fund/); funds are editable data.

The ledger's registrations live here too (charity has no admin module of its own yet).
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from charity.models import Account, Fund, LedgerEntry, LedgerLeg
from donations.models import Donation, GoodsIntake, Pledge, Receipt, Refund, StripeEvent


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


# --- donations ------------------------------------------------------------------------------


@admin.register(Donation)
class DonationAdmin(ReadOnlyModelAdmin):
    list_display = [
        "pk",
        "received_at",
        "donor",
        "fund",
        "method",
        "amount",
        "currency",
        "refunded_amount",
        "status",
        "offline_reference",
        "stripe_payment_intent",
    ]
    list_filter = ["status", "method", "fund", "currency"]
    search_fields = [
        "offline_reference",
        "stripe_payment_intent",
        "stripe_invoice",
        "stripe_charge",
        "donor__organisation__display_name",
        "donor__user__email",
    ]
    list_select_related = ["donor__organisation", "donor__user", "fund"]
    date_hierarchy = "received_at"


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyModelAdmin):
    list_display = [
        "number",
        "issued_at",
        "donor",
        "donation",
        "amount",
        "currency",
        "status",
        "void_reason",
        "replaces",
        "emailed_at",
    ]
    list_filter = ["status", "year", "series"]
    search_fields = ["number", "donor__organisation__display_name", "donor__user__email"]
    list_select_related = ["donor__organisation", "donor__user", "donation", "replaces"]
    exclude = ["verification_code"]


@admin.register(Pledge)
class PledgeAdmin(ReadOnlyModelAdmin):
    list_display = [
        "pk",
        "created_at",
        "donor",
        "kind",
        "amount",
        "currency",
        "interval",
        "goods_description",
        "goods_quantity",
        "fund",
        "status",
    ]
    list_filter = ["status", "kind", "interval", "fund"]
    search_fields = [
        "goods_description",
        "stripe_subscription_id",
        "donor__organisation__display_name",
        "donor__user__email",
    ]
    list_select_related = ["donor__organisation", "donor__user", "fund"]


@admin.register(Refund)
class RefundAdmin(ReadOnlyModelAdmin):
    list_display = [
        "pk",
        "created_at",
        "donation",
        "amount",
        "reason",
        "status",
        "requested_by",
        "stripe_refund_id",
        "completed_at",
        "failure",
    ]
    list_filter = ["status"]
    search_fields = ["stripe_refund_id", "reason"]
    list_select_related = ["donation", "requested_by"]


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyModelAdmin):
    list_display = ["stripe_id", "type", "status", "attempts", "received_at", "processed_at"]
    list_filter = ["status", "type"]
    search_fields = ["stripe_id", "type"]


@admin.register(GoodsIntake)
class GoodsIntakeAdmin(ReadOnlyModelAdmin):
    list_display = [
        "pk",
        "received_at",
        "pledge",
        "description",
        "quantity",
        "condition",
        "unit_value",
        "warehouse",
        "donation",
        "received_by",
    ]
    list_filter = ["condition", "warehouse"]
    search_fields = ["description"]
    list_select_related = ["pledge", "warehouse", "donation", "received_by"]


# --- the ledger (charity) -------------------------------------------------------------------


@admin.register(Fund)
class FundAdmin(admin.ModelAdmin):
    """Names, description, target and the published flag are editable; the code names the
    fund's ledger accounts, so it is fixed once the fund exists, and a fund is never deleted."""

    list_display = [
        "code",
        "name",
        "name_en",
        "kind",
        "target_amount",
        "is_published",
        "sort_order",
    ]
    list_editable = ["is_published", "sort_order"]
    list_filter = ["kind", "is_published"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["code", "kind"] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Account)
class AccountAdmin(ReadOnlyModelAdmin):
    list_display = ["code", "kind", "fund", "currency"]
    list_filter = ["kind", "currency", "fund"]
    search_fields = ["code"]
    list_select_related = ["fund"]


class LedgerLegInline(ReadOnlyTabularInline):
    model = LedgerLeg
    fields = ["account", "amount", "currency"]
    readonly_fields = ["account", "amount", "currency"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyModelAdmin):
    list_display = ["pk", "posted_at", "kind", "memo", "reference", "created_by", "reverses"]
    list_filter = ["kind"]
    search_fields = ["memo", "reference"]
    list_select_related = ["created_by", "reverses"]
    date_hierarchy = "posted_at"
    inlines = [LedgerLegInline]

"""Django admin: donations are read-only here; every change goes through the services and
the fund administrators' screens in /cms/fund/."""

from django.contrib import admin

from core.admin import ReadOnlyModelAdmin
from donations.models import Donation, GoodsIntake, Pledge, Receipt, Refund, StripeEvent

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

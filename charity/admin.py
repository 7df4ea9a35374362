"""Django admin for the pool's books: read-only, except a fund's names, description, target and
the published flag (plain data the transparency page shows)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from charity.models import Account, Disbursement, Fund, LedgerEntry, LedgerLeg, StockLot
from charity.services import fund_save
from core.admin import ReadOnlyModelAdmin, ReadOnlyTabularInline


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
    exclude = ["purpose_key", "purpose_id"]
    list_editable = ["is_published", "sort_order"]
    list_filter = ["kind", "is_published"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["code", "kind"] if obj is not None else []

    def formfield_for_choice_field(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "kind":  # earmarked funds are made by their purpose, not here
            kwargs["choices"] = [c for c in Fund.Kind.choices if c[0] != Fund.Kind.EARMARKED]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.kind == Fund.Kind.EARMARKED:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Fund, form: Any, change: bool) -> None:
        fund_save(fund=obj, by=request.user)  # type: ignore[arg-type]


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


@admin.register(Disbursement)
class DisbursementAdmin(ReadOnlyModelAdmin):
    list_display = ["pk", "created_at", "from_fund", "to_fund", "amount", "status", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["from_fund", "to_fund"]


@admin.register(StockLot)
class StockLotAdmin(ReadOnlyModelAdmin):
    list_display = [
        "description",
        "warehouse",
        "quantity_on_hand",
        "quantity_received",
        "unit_value",
    ]
    list_filter = ["warehouse"]
    search_fields = ["description"]
    list_select_related = ["warehouse"]

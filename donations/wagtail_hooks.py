"""The fund administrators' area in the Wagtail admin: a "Fund" menu and its screens."""

from typing import Any

from django.http import HttpRequest
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from accounts.selectors import is_fund_administrator
from donations import admin_views

urlpatterns = [
    path("goods/", admin_views.goods_intake, name="goods_intake"),
    path("goods/<int:pledge_id>/", admin_views.goods_intake_receive, name="goods_intake_receive"),
    path(
        "goods/<int:pledge_id>/decline/",
        admin_views.goods_pledge_decline_view,
        name="goods_pledge_decline",
    ),
    path("stock/", admin_views.stock, name="stock"),
    path("income/", admin_views.offline_income, name="offline_income"),
    path("refunds/", admin_views.refunds, name="refunds"),
    path("refunds/<int:donation_id>/", admin_views.refund_create, name="refund_create"),
    path("refunds/<int:donation_id>/void/", admin_views.donation_void_view, name="donation_void"),
    path("books/", admin_views.books, name="books"),
]


@hooks.register("register_admin_urls")
def approvals_urls() -> list[Any]:
    return [path("approvals/", admin_views.approvals, name="wishpool_approvals")]


@hooks.register("register_admin_menu_item")
def approvals_menu_item() -> MenuItem:
    return FundAdministratorMenuItem(
        _("Approvals"), reverse("wishpool_approvals"), icon_name="tick", order=300
    )


@hooks.register("register_admin_urls")
def fund_admin_urls() -> list[Any]:
    return [path("fund/", include((urlpatterns, "fund"), namespace="fund"))]


class FundAdministratorMenuItem(MenuItem):
    """Shown only to fund administrators (the views refuse everyone else as well)."""

    def is_shown(self, request: HttpRequest) -> bool:
        return is_fund_administrator(request.user)  # type: ignore[arg-type]


def fund_menu() -> Menu:
    return Menu(
        items=[
            FundAdministratorMenuItem(
                _("Goods intake"),
                reverse("fund:goods_intake"),
                name="fund-goods",
                icon_name="tasks",
                order=100,
            ),
            FundAdministratorMenuItem(
                _("Stock on hand"),
                reverse("fund:stock"),
                name="fund-stock",
                icon_name="folder-open-inverse",
                order=150,
            ),
            FundAdministratorMenuItem(
                _("Offline income"),
                reverse("fund:offline_income"),
                name="fund-income",
                icon_name="form",
                order=200,
            ),
            FundAdministratorMenuItem(
                _("Refunds and corrections"),
                reverse("fund:refunds"),
                name="fund-refunds",
                icon_name="rotate",
                order=300,
            ),
            FundAdministratorMenuItem(
                _("Books"), reverse("fund:books"), name="fund-books", icon_name="table", order=400
            ),
        ]
    )


@hooks.register("register_admin_menu_item")
def fund_menu_item() -> SubmenuMenuItem:
    # "Fund" is 资金池 in Chinese (filled in by the translator).
    return SubmenuMenuItem(_("Fund"), fund_menu(), name="fund", icon_name="table", order=250)

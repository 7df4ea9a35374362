"""The "Community" menu in the Wagtail admin: stations, member companies and staff (fund
administrators), through views that call accounts.services; never a generic model form."""

from typing import Any

from django.http import HttpRequest
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from accounts import admin_views, selectors

urlpatterns = [
    path("stations/", admin_views.stations, name="stations"),
    path("stations/<int:station_id>/", admin_views.station_edit, name="station_edit"),
    path("communities/", admin_views.communities, name="communities"),
    path("companies/", admin_views.organisations, name="organisations"),
    path("staff/", admin_views.staff, name="staff"),
    path("staff/<int:user_id>/revoke/", admin_views.staff_revoke, name="staff_revoke"),
]


@hooks.register("register_admin_urls")
def community_urls() -> list[Any]:
    return [path("community/", include((urlpatterns, "community"), namespace="community"))]


class FundAdministratorMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return selectors.is_fund_administrator(request.user)  # type: ignore[arg-type]


@hooks.register("register_admin_menu_item")
def community_menu_item() -> SubmenuMenuItem:
    menu = Menu(
        items=[
            FundAdministratorMenuItem(
                _("Stations"), reverse("community:stations"), name="stations", icon_name="site"
            ),
            FundAdministratorMenuItem(
                _("Residential communities"),
                reverse("community:communities"),
                name="communities",
                icon_name="home",
            ),
            FundAdministratorMenuItem(
                _("Member companies"),
                reverse("community:organisations"),
                name="companies",
                icon_name="group",
            ),
            FundAdministratorMenuItem(
                _("Staff"), reverse("community:staff"), name="staff", icon_name="user"
            ),
        ]
    )
    return SubmenuMenuItem(_("Community"), menu, name="community", icon_name="group", order=240)

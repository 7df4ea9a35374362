from django.http import HttpRequest
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from accounts import admin_views, selectors
from accounts.models import Organisation, Station


class OrganisationViewSet(SnippetViewSet):
    model = Organisation
    icon = "group"
    menu_label = _("Member companies")
    list_display = ["display_name", "legal_name", "contact_name", "approved_at"]
    search_fields = ["display_name", "legal_name"]


class StationViewSet(SnippetViewSet):
    model = Station
    icon = "site"
    menu_label = _("Stations")
    list_display = ["name", "district", "address", "is_active"]


class CommunityViewSetGroup(SnippetViewSetGroup):
    items = (OrganisationViewSet, StationViewSet)
    menu_icon = "group"
    menu_label = _("Community")
    menu_name = "community"


register_snippet(CommunityViewSetGroup)


@hooks.register("register_admin_urls")
def approvals_urls() -> list:  # type: ignore[type-arg]
    return [path("approvals/", admin_views.approvals, name="wishpool_approvals")]


class FundAdministratorMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return selectors.is_fund_administrator(request.user)  # type: ignore[arg-type]


@hooks.register("register_admin_menu_item")
def approvals_menu_item() -> MenuItem:
    return FundAdministratorMenuItem(
        _("Approvals"), reverse("wishpool_approvals"), icon_name="tick", order=300
    )

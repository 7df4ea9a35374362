from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

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

"""The "Lending" menu in the Wagtail admin: equipment types and items, through views that call
lending.services; never a generic model form."""

from typing import Any

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, SubmenuMenuItem

from accounts.wagtail_hooks import FundAdministratorMenuItem
from lending import admin_views

urlpatterns = [
    path("types/", admin_views.types, name="types"),
    path("types/<int:type_id>/", admin_views.type_edit, name="type_edit"),
    path("items/", admin_views.items, name="items"),
]


@hooks.register("register_admin_urls")
def lending_urls() -> list[Any]:
    return [path("lending/", include((urlpatterns, "lending_admin"), namespace="lending_admin"))]


@hooks.register("register_admin_menu_item")
def lending_menu_item() -> SubmenuMenuItem:
    menu = Menu(
        items=[
            FundAdministratorMenuItem(
                _("Equipment types"), reverse("lending_admin:types"), name="types", icon_name="tag"
            ),
            FundAdministratorMenuItem(
                _("Items"), reverse("lending_admin:items"), name="items", icon_name="list-ul"
            ),
        ]
    )
    return SubmenuMenuItem(_("Lending"), menu, name="lending", icon_name="tag", order=250)

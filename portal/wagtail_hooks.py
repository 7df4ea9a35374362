"""Annual reports in the Wagtail admin: a "Compute the figures" action on the page's edit
screen, and the PDF asked for whenever such a page is published."""

from typing import Any

from django.http import HttpRequest
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.action_menu import ActionMenuItem
from wagtail.models import Page

from portal import admin_views, services
from portal.models import AnnualReportPage


@hooks.register("register_admin_urls")
def annual_report_urls() -> list[Any]:
    return [
        path(
            "annual-reports/<int:page_id>/compute/",
            admin_views.annual_compute,
            name="annual_report_compute",
        )
    ]


class ComputeFiguresMenuItem(ActionMenuItem):
    label = _("Compute the figures")
    name = "action-compute-figures"
    icon_name = "calculator"
    order = 90

    def is_shown(self, context: dict[str, Any]) -> bool:
        page = context.get("page")
        return (
            context["view"] == "edit"
            and isinstance(page.specific if page else None, AnnualReportPage)
            and not context.get("locked_for_user")
        )

    def get_url(self, parent_context: dict[str, Any]) -> str:
        return reverse("annual_report_compute", args=[parent_context["page"].pk])


@hooks.register("register_page_action_menu_item")
def compute_figures_menu_item() -> ActionMenuItem:
    return ComputeFiguresMenuItem()


@hooks.register("after_publish_page")
def annual_report_published(request: HttpRequest, page: Page) -> None:
    if isinstance(page.specific, AnnualReportPage):
        services.annual_report_pdf_request(page_id=page.pk)

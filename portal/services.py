"""Writes of the top layer: computing an annual report's figures into a draft revision, and
making the PDF of its published revision."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import translation
from wagtail.models import Revision

from accounts.models import User
from core.files import private_save
from core.pdf import pdf_from_template
from donations.pdf import fund_name
from portal.annual import report_context
from portal.models import AnnualReportPage, AnnualReportPdf
from reports.annual import annual_figures, figures_changes


def annual_report_preview(*, page: AnnualReportPage) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The figures as the books stand now, and what they would change in the latest revision."""
    draft = page.get_latest_revision_as_object()
    figures = annual_figures(year=draft.year)
    return figures, figures_changes(draft.figures, figures)


def annual_report_compute(*, page_id: int, user: User) -> tuple[Revision, list[dict[str, Any]]]:
    """Freeze freshly computed figures into a new draft revision (not published: the editor
    looks at what changed, then publishes). Returns the revision and the changes."""
    with transaction.atomic():
        page = AnnualReportPage.objects.select_for_update().get(pk=page_id)
        if not page.permissions_for_user(user).can_edit():
            raise PermissionDenied
        draft = page.get_latest_revision_as_object()
        figures = annual_figures(year=draft.year)
        draft.figures_changes = figures_changes(draft.figures, figures)
        draft.figures = figures
        revision = draft.save_revision(user=user, log_action=True)
    return revision, draft.figures_changes


def pdf_name(page: AnnualReportPage, revision_id: int) -> str:
    return f"annual-reports/{page.pk}-r{revision_id}.pdf"


def annual_report_pdf_make(*, page_id: int) -> AnnualReportPdf | None:
    """The PDF of the page's published revision, made once per revision (a repeat, or a
    second worker, finds it made). None when the page is not published."""
    page = AnnualReportPage.objects.select_related("locale", "live_revision").get(pk=page_id)
    if not page.live or page.live_revision is None:
        return None
    revision = page.live_revision
    existing = AnnualReportPdf.objects.filter(page=page, revision_id=revision.pk).first()
    if existing is not None:
        return existing
    published = revision.as_object()
    language = page.locale.language_code
    with translation.override(language):
        data = pdf_from_template(
            "portal/annual_report_pdf.html",
            {
                "page": published,
                "language": language,
                "fund_name": fund_name(),
                **report_context(published),
            },
        )
    name = pdf_name(page, revision.pk)
    private_save(name, data)
    try:
        with transaction.atomic():
            return AnnualReportPdf.objects.create(page=page, revision_id=revision.pk, file=name)
    except IntegrityError:
        return AnnualReportPdf.objects.get(page=page, revision_id=revision.pk)


def annual_report_pdf_request(*, page_id: int) -> None:
    """After commit, ask the PDF worker for the published revision's PDF."""
    from portal import tasks

    transaction.on_commit(lambda: tasks.make_annual_report_pdf.delay(page_id))

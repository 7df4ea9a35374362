"""Wagtail pages hold content and presentation; figures come from portal.selectors."""

from typing import Any

from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, HelpPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.images.blocks import ImageBlock
from wagtail.models import Page
from wagtail.search import index

from portal import selectors

BODY_BLOCKS = [
    ("heading", blocks.CharBlock(form_classname="title", label=_("Heading"))),
    ("paragraph", blocks.RichTextBlock(label=_("Paragraph"))),
    ("image", ImageBlock(label=_("Image"))),
]


class HomePage(Page):
    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    max_count_per_parent = 1
    subpage_types = [
        "portal.StandardPage",
        "portal.NewsIndexPage",
        "wishes.WishBoardPage",
        "lending.LendingCataloguePage",
        "portal.AnnualReportPage",
        "wishes.CampaignPage",
    ]

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        context["figures"] = selectors.home_figures()
        context["latest_news"] = selectors.latest_news(locale=self.locale, limit=3)
        return context


class StandardPage(Page):
    body = StreamField(BODY_BLOCKS, verbose_name=_("body"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("body")]

    class Meta:
        verbose_name = _("standard page")


class NewsIndexPage(Page):
    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["portal.NewsArticlePage"]

    class Meta:
        verbose_name = _("news index")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        context["articles"] = selectors.news_articles(index_page=self)
        return context


class NewsArticlePage(Page):
    date: models.DateField = models.DateField(_("date"))
    intro: models.CharField = models.CharField(_("summary"), max_length=250, blank=True)
    body = StreamField(BODY_BLOCKS, verbose_name=_("body"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("date"),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["portal.NewsIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("news article")


class AnnualReportPage(Page):
    """年度报告: the editor's narrative and photos around figures computed from the books.

    The figures live in a JSON field of the page, so they are saved in each revision: they
    change only when an editor presses "compute" (which saves a draft revision and shows what
    changed) and then publishes. A later correction in the books never changes a published
    report silently."""

    year: models.PositiveSmallIntegerField = models.PositiveSmallIntegerField(_("year"))
    intro = RichTextField(_("introduction"), blank=True)
    body = StreamField(BODY_BLOCKS, verbose_name=_("narrative and photos"), blank=True)
    closing = RichTextField(_("closing words"), blank=True)
    figures = models.JSONField(_("figures"), default=dict, blank=True, editable=False)
    figures_changes = models.JSONField(
        _("what the last computation changed"), default=list, blank=True, editable=False
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("year"),
        HelpPanel(
            content=_(
                "The figures are computed from the books when you choose “Compute the "
                "figures” in the actions menu below; you then see what changed, and they are "
                "published with the page."
            ),
            heading=_("Figures"),
        ),
        FieldPanel("intro"),
        FieldPanel("body"),
        FieldPanel("closing"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["portal.HomePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("annual report")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from django.urls import reverse

        from portal.annual import report_context

        context = super().get_context(request, *args, **kwargs)
        context.update(report_context(self))
        if selectors.annual_report_pdf(page_id=self.pk) is not None:
            context["pdf"] = reverse("portal:annual_pdf", args=[self.pk])
        return context


class AnnualReportPdf(models.Model):
    """The PDF of one published revision of an annual report, made by Celery after
    publishing; a new revision gets a new PDF, an old one is kept."""

    page = models.ForeignKey(
        AnnualReportPage, on_delete=models.CASCADE, related_name="pdfs", verbose_name=_("page")
    )
    revision_id = models.PositiveBigIntegerField(_("revision"))
    file = models.CharField(_("file"), max_length=200)
    made_at = models.DateTimeField(_("made at"), auto_now_add=True)

    class Meta:
        verbose_name = _("annual report PDF")
        verbose_name_plural = _("annual report PDFs")
        constraints = [
            models.UniqueConstraint(fields=["page", "revision_id"], name="annual_pdf_once")
        ]

    def __str__(self) -> str:
        return f"{self.page_id} r{self.revision_id}"

"""Wagtail pages hold content and presentation; figures come from portal.selectors."""

from typing import Any

from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
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

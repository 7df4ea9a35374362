"""The wish board (心愿墙): a Wagtail page editors place and introduce; the wishes themselves
are plain models, listed and shown by the page's routes."""

import hashlib
from typing import Any

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page

CARDS_SECONDS = 600


def board_cards(wishes: list[Any], *, base_url: str) -> str:
    """The cards of one board page, kept under a digest of everything they show (and the
    language): a card changes the moment any shown value does, and is drawn once, not on
    every view."""
    shown = [
        (
            w.pk,
            w.title,
            w.pseudonym,
            w.coarse_area,
            w.station.name,
            w.status,
            w.category,
            w.kind,
            w.quantity,
            w.needed_by,
            getattr(w, "money", None),
        )
        for w in wishes
    ]
    digest = hashlib.sha256(repr((shown, base_url, get_language())).encode()).hexdigest()
    key = f"wishboard-cards:{digest}"
    html = cache.get(key)
    if html is None:
        html = render_to_string(
            "wishes/includes/board_cards.html", {"wishes": wishes, "base_url": base_url}
        )
        cache.set(key, html, CARDS_SECONDS)
    return mark_safe(html)  # noqa: S308 - our own template's output


class CountedPaginator(Paginator):
    """A paginator told the count (kept per generation of the board) instead of asking."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self.known_count = count

    @cached_property
    def count(self) -> int:
        return self.known_count


class WishBoardPage(RoutablePageMixin, Page):
    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    max_count_per_parent = 1
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("wish board")

    def _cached(self, request: HttpRequest, render: Any) -> HttpResponse:
        """Store the page for anonymous visitors; wishes.cache serves it next time."""
        from wishes import cache as board_cache

        if not board_cache.cacheable(request):
            return render()
        generation = board_cache.generation()
        response = render()
        response.render()
        if board_cache.storable(response):
            board_cache.copy_store(request, generation_=generation, content=response.content)
        return response

    @path("")
    def board(self, request: HttpRequest) -> HttpResponse:
        from wishes import selectors
        from wishes.forms import BoardFilterForm

        def render() -> TemplateResponse:
            form = BoardFilterForm(request.GET or None)
            form.is_valid()
            # a bad value (category=bogus) drops only itself; the other filters still apply
            filters = {k: v for k, v in getattr(form, "cleaned_data", {}).items() if v}
            wishes = selectors.board_wishes(**filters)
            paginator = CountedPaginator(wishes, 24, count=selectors.board_count(**filters))
            page = paginator.get_page(request.GET.get("page"))
            money = selectors.wish_money(page.object_list)
            for wish in page.object_list:
                wish.money = money.get(wish.pk)  # type: ignore[attr-defined]
            context = self.get_context(request)
            context.update(
                form=form,
                wishes=page,
                cards=board_cards(list(page.object_list), base_url=self.get_url(request) or ""),
                querystring=_querystring_without_page(request),
                figures=selectors.board_figures(),
            )
            return TemplateResponse(request, "wishes/wish_board_page.html", context)

        return self._cached(request, render)

    @path("<int:wish_id>/")
    def wish(self, request: HttpRequest, wish_id: int) -> HttpResponse:
        from wishes import selectors

        def render() -> TemplateResponse:
            wish = selectors.wish_public_get(wish_id=wish_id)
            if wish is None:
                raise Http404
            context = self.get_context(request)
            user = request.user
            context.update(wish=wish, **selectors.wish_public_context(wish=wish, user=user))  # type: ignore[arg-type]
            return TemplateResponse(request, "wishes/wish_detail.html", context)

        return self._cached(request, render)


def _querystring_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


class CampaignPage(Page):
    """A charity project's page: the editor's words and photos around its wishes, a
    thermometer, the poster, and "claim all" for a member company."""

    campaign: models.ForeignKey = models.ForeignKey(
        "wishes.Campaign", on_delete=models.PROTECT, related_name="+", verbose_name=_("project")
    )
    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("campaign"), FieldPanel("intro")]
    parent_page_types = ["portal.HomePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("charity project page")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from wishes import selectors

        context = super().get_context(request, *args, **kwargs)
        context.update(selectors.campaign_context(campaign=self.campaign, user=request.user))  # type: ignore[arg-type]
        return context

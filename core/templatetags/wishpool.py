from typing import Any

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context: dict[str, Any]) -> list[dict[str, Any]]:
    """The current page in every site language: plain links, no JavaScript needed."""
    request = context.get("request")
    page = context.get("page")
    current = get_language()
    # A route below a Wagtail page (e.g. /wishes/12/) keeps its tail in the other language.
    tail = ""
    if page is not None and request is not None and page.url and request.path.startswith(page.url):
        tail = request.get_full_path()[len(page.url) :]
    links = []
    for code, name in settings.LANGUAGES:
        url = None
        if page is not None and hasattr(page, "get_translations"):
            if page.locale.language_code == code:
                url = page.url + tail if page.url else None
            else:
                translation = page.get_translations().filter(locale__language_code=code).first()
                url = translation.url + tail if translation and translation.url else None
        if url is None and request is not None:
            url = translate_url(request.get_full_path(), code)
        links.append({"code": code, "name": name, "url": url or "/", "current": code == current})
    return links


@register.filter
def yuan(value: object) -> str:
    """¥1,234.50: one way to show money on every page."""
    from decimal import Decimal, InvalidOperation

    try:
        amount = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return ""
    return f"¥{amount:,.2f}"


@register.filter
def amount(value: object) -> str:
    """1,234.50: money without its symbol (for columns that show the currency code)."""
    from decimal import Decimal, InvalidOperation

    try:
        return f"{Decimal(str(value or 0)):,.2f}"
    except (InvalidOperation, TypeError, ValueError):
        return ""

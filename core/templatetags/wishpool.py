import re
from typing import Any

from django import forms, template
from django.conf import settings
from django.urls import translate_url
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import get_language, gettext_noop

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context: dict[str, Any]) -> list[dict[str, Any]]:
    """The current page in every site language: plain links, no JavaScript needed."""
    request = context.get("request")
    page = context.get("page")
    current = get_language()
    # A route below a Wagtail page (e.g. /wishes/12/) keeps its tail in the other language.
    tail = ""
    if request is not None and page is not None and hasattr(page, "get_url"):
        here = page.get_url(request)  # the site's roots as this request already read them
        if here and request.path.startswith(here):
            tail = request.get_full_path()[len(here) :]
    translations = (
        _translation_urls(page) if page is not None and hasattr(page, "get_translations") else {}
    )
    links = []
    for code, name in settings.LANGUAGES:
        found = translations.get(code)
        url = found + tail if found else None
        if url is None and request is not None:
            url = translate_url(request.get_full_path(), code)
        links.append({"code": code, "name": name, "url": url or "/", "current": code == current})
    return links


TRANSLATION_URL_SECONDS = 300


def _translation_urls(page: Any) -> dict[str, str | None]:
    """The address of a page's translation into each language: the same for every visitor, so
    kept for a few minutes (keyed by the page's own path, which a move or rename changes)
    instead of two queries per language on every page view; all read in one trip."""
    import hashlib

    from django.core.cache import cache

    where = hashlib.sha256(page.url_path.encode()).hexdigest()[:32]  # any length of path
    keys = {
        code: f"page-translation-url:{page.pk}:{where}:{code}" for code, _name in settings.LANGUAGES
    }
    found = cache.get_many(list(keys.values()))
    urls = {}
    for code, key in keys.items():
        if key not in found:
            if page.locale.language_code == code:
                url = page.url
            else:
                translation = page.get_translations().filter(locale__language_code=code).first()
                url = translation.url if translation else None
            found[key] = url or ""
            cache.set(key, found[key], TRANSLATION_URL_SECONDS)
        urls[code] = found[key] or None
    return urls


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
def wan(value: object) -> str:
    """Large sums the way a Chinese reader expects them (51.63 万元); ¥ with thousands in
    English. Below ten thousand, yuan as they are."""
    from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

    from django.utils.translation import get_language

    try:
        amount = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return ""
    if not (get_language() or "").startswith("zh"):
        return f"¥{amount:,.2f}"
    if abs(amount) >= 10_000:
        tens = (amount / 10_000).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return f"{tens:,.2f} 万元"
    return f"{amount:,.2f} 元"


@register.filter
def amount(value: object) -> str:
    """1,234.50: money without its symbol (for columns that show the currency code)."""
    from decimal import Decimal, InvalidOperation

    try:
        return f"{Decimal(str(value or 0)):,.2f}"
    except (InvalidOperation, TypeError, ValueError):
        return ""


# Django's own "required" message: the Wagtail admin's catalogue (read before Django's, as
# wagtail.admin comes first in INSTALLED_APPS) words it "必需字段", an admin label, on every
# public form. Our catalogue (LOCALE_PATHS, read before any app's) words it for our readers.
REQUIRED_MESSAGE = gettext_noop("This field is required.")

# Han characters (CJK Unified Ideographs, Extension A, Compatibility, Extensions B–G).
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# What may sit inside or close a run of Chinese: CJK and full-width punctuation, the middle
# dot, dashes, ellipsis, curly quotes, digits and spaces.
_JOINERS = "\u3000-\u303f\uff00-\uffef\u00b7\u2014\u2026\u2018\u2019\u201c\u201d"
_HAN_CHAR = re.compile(f"[{_HAN}]")
_HAN_RUN = re.compile(f"[{_HAN}](?:[{_HAN}{_JOINERS}0-9 ]*[{_HAN}{_JOINERS}])?")
_TAG = re.compile(r"(<[^>]*>)")
_ENTITY = re.compile(r"&#?\w+;")
_LATIN = re.compile(r"[A-Za-z]")


@register.filter(needs_autoescape=True)
def zh(value: object, autoescape: bool = True) -> object:
    """Mark Chinese that people typed (names, titles, stories) as Chinese on pages in another
    language (WCAG 3.1.2), so a screen reader speaks it in a Chinese voice.

    On a Chinese page, or for text without Chinese, the value is returned as it is. Otherwise
    text that is all Chinese is wrapped whole in <span lang="zh-Hans">, and mixed text (or
    HTML such as the output of linebreaksbr) has each run of Chinese wrapped. For element
    content only, never inside an attribute or <title>.
    """
    if value is None or value == "":
        return value
    text = str(value)
    if (get_language() or "").lower().startswith("zh") or not _HAN_CHAR.search(text):
        return value
    # Safe values (the output of linebreaksbr, richtext) are HTML already; the rest is text.
    html = text if not autoescape or isinstance(value, SafeData) else str(conditional_escape(text))
    if "<" not in html and not _LATIN.search(_ENTITY.sub("", html)):
        return mark_safe(f'<span lang="zh-Hans">{html}</span>')  # noqa: S308 (escaped above)
    parts = _TAG.split(html)
    for i in range(0, len(parts), 2):  # even parts are text, odd ones tags
        parts[i] = _HAN_RUN.sub(lambda m: f'<span lang="zh-Hans">{m.group(0)}</span>', parts[i])
    return mark_safe("".join(parts))  # noqa: S308 (escaped above; tags kept as they were)


@register.simple_tag
def form_errors(form: forms.BaseForm | None) -> list[dict[str, str]]:
    """Every error of a form in the order of its fields, each with the id of the control it is
    about (the first choice of a group of radios or checkboxes), for the error summary.
    Errors of the whole form and of hidden fields have no control: their id is ""."""
    if form is None or not getattr(form, "is_bound", False) or not form.errors:
        return []
    items = [{"id": "", "message": str(message)} for message in form.non_field_errors()]
    for field in form.hidden_fields():
        items += [{"id": "", "message": str(message)} for message in field.errors]
    for field in form.visible_fields():
        target = field.id_for_label
        widget = field.field.widget
        if not target and field.auto_id and isinstance(widget, forms.widgets.ChoiceWidget):
            target = widget.id_for_label(field.auto_id, "0")
        items += [{"id": target, "message": str(message)} for message in field.errors]
    return items


@register.filter
def km(metres: object) -> str:
    """1,234 m → "1.2" (kilometres, one decimal)."""
    try:
        return f"{float(metres) / 1000:.1f}"  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return ""


@register.filter
def money(value: object, currency: object = "CNY") -> str:
    """¥1,234.50 for yuan (what staff read everywhere else), "1,234.50 USD" for others."""
    if str(currency or "CNY").upper() == "CNY":
        return yuan(value)
    shown = amount(value)
    return f"{shown} {currency}" if shown else ""

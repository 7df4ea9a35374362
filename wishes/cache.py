"""Anonymous visitors share a copy of each wish-board page for WISHPOOL_BOARD_CACHE_SECONDS.

The copy is served by BoardCacheMiddleware before Wagtail routes the request, so a cached
page costs no database query; signed-in people always get a fresh page. Every change of a
wish's state starts a new generation of copies, so a withdrawn or rejected wish leaves the
public board at once rather than when its copy expires.
"""

from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from core import kept

PREFIXES_KEY = "wishboard:prefixes"
GENERATION_KEY = "wishboard:generation"


def generation() -> int:
    """Which state of the wishes a cached copy or count belongs to."""
    return kept.generation(GENERATION_KEY)


def language(request: HttpRequest) -> str:
    """The page's language, from its address alone (unprefixed: the site's default), so the
    middleware can find a copy before LocaleMiddleware runs."""
    return translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE


def page_key(request: HttpRequest) -> str:
    """Where the copy of this address is kept; the copy carries the generation it was drawn
    under, so one cache read finds both the copy and whether it is still current."""
    return f"wishboard:page:{language(request)}:{request.get_full_path()}"[:240]


def copy_store(request: HttpRequest, *, generation_: int, content: bytes) -> None:
    """Keep a page drawn under ``generation_`` (read before drawing it: a wish that changed
    while the page was drawn makes the copy stale at once)."""
    cache.set(page_key(request), (generation_, content), settings.WISHPOOL_BOARD_CACHE_SECONDS)


def board_changed() -> None:
    """Forget every shared copy and count (called after a wish is saved, once committed)."""
    kept.generation_next(GENERATION_KEY)


# A visitor carrying one of these has something of their own to see (a message after signing
# out, a session): they get a fresh page, and it is never stored for others.
PERSONAL_COOKIES = ("messages", "sessionid")


def cacheable(request: HttpRequest) -> bool:
    """Anonymous GETs only: without a session cookie nobody is signed in (this runs before the
    session and auth middleware; once they have run, the user is checked as well)."""
    seconds = getattr(settings, "WISHPOOL_BOARD_CACHE_SECONDS", 60)
    personal = {settings.SESSION_COOKIE_NAME, *PERSONAL_COOKIES} & set(request.COOKIES)
    user = getattr(request, "user", None)
    return (
        bool(seconds)
        and request.method == "GET"
        and not personal
        and not (user is not None and user.is_authenticated)
    )


def storable(response: HttpResponse) -> bool:
    """Only a page that sets no cookie (no CSRF token, no consumed message) is shared."""
    return response.status_code == 200 and not response.cookies


def board_prefixes(prefixes: tuple[str, ...] | None = None) -> tuple[str, ...]:
    if prefixes is None:
        prefixes = cache.get(PREFIXES_KEY)
    if prefixes is None:
        from wishes.models import WishBoardPage

        prefixes = tuple(url for url in (p.url for p in WishBoardPage.objects.live()) if url)
        cache.set(PREFIXES_KEY, prefixes, 300)
    return prefixes


class BoardCacheMiddleware:
    """Sits just inside the middleware that sets security headers (so a copy carries them all)
    and before sessions, locale and auth: a copy costs one cache read and nothing else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if cacheable(request):
            page = page_key(request)
            found = cache.get_many([PREFIXES_KEY, GENERATION_KEY, page])
            prefixes = board_prefixes(found.get(PREFIXES_KEY))
            copy = found.get(page)
            if (
                prefixes
                and request.path.startswith(prefixes)
                and copy is not None
                and copy[0] == int(found.get(GENERATION_KEY, 0))
            ):
                response = HttpResponse(copy[1])
                response.headers["Content-Language"] = language(request)
                patch_vary_headers(response, ("Accept-Language", "Cookie"))
                return response
        return self.get_response(request)

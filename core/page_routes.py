"""Which Wagtail page a path leads to, remembered instead of found by walking the tree.

Wagtail routes every request from the top: the site for the host (one query), the active
locale (one), the site's home page in that locale and its specific row, then one query and one
``.specific`` per path segment. On the public pages that is six or seven queries and about a
third of an uncached request, for an answer that changes only when an editor publishes, moves
or deletes a page or changes a site.

So the answer is kept in the cache, under the path, the host, the port and the language, and
under a digest of Wagtail's own list of site roots (which Wagtail clears whenever a site is
saved or deleted): a changed site, home page or translation of it changes every key. What a
page itself may have changed since is checked on every use, in the one query that loads it:
it must still be live and still sit at the same ``url_path`` (publishing a new slug or moving a
page or one of its ancestors rewrites that). An entry that fails the check is forgotten and
the tree is walked as before. Whatever lies below the remembered page (a route of a routable
page, a child page) is found by the page's own ``route()``, as Wagtail does; view
restrictions and ``before_serve_page`` hooks run afterwards, unchanged, in Wagtail's ``serve``.
"""

import hashlib
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.cache import cache
from django.http import Http404, HttpRequest
from django.http.request import split_domain_port
from django.utils.translation import get_language
from wagtail.models import Page, Site

ROUTE_SECONDS = 600
MAX_DEPTH = 8  # deeper pages are routed by Wagtail as before; a long path costs no more keys
KEY_VERSION = 1  # moved on when Route changes, so an entry of an older release is never read


@dataclass(frozen=True)
class Route:
    """Where a path prefix leads: the site that answered and the page at the prefix."""

    site: Site
    page_id: int
    model: str  # app_label.ModelName of the specific page
    url_path: str


def route_for_request(request: HttpRequest, path: str) -> Any:
    """Wagtail's ``Page.route_for_request`` with its answer remembered (see the module).

    Returns what Wagtail's does (a RouteResult, or None for no page) and leaves it on the
    request, where Wagtail's ``serve`` and anything else that routes this request find it."""
    if hasattr(request, "_wagtail_route_for_request"):
        return request._wagtail_route_for_request
    components = [part for part in path.split("/") if part]
    roots = Site.get_site_root_paths()
    # where Wagtail looks for them when it builds a page's URL for this request
    request._wagtail_cached_site_root_paths = roots  # type: ignore[attr-defined]
    keys = _keys(request, roots, components)
    found = cache.get_many(list(keys))
    for key in sorted(found, key=lambda k: -keys[k]):
        result = _follow(request, found[key], components[keys[key] :])
        if result is False:
            cache.delete(key)
            continue
        request._wagtail_route_for_request = result  # type: ignore[attr-defined]
        if result is not None and result[0].pk != found[key].page_id:
            _remember(request, keys, result[0], components)  # a page below it: next time, 1 query
        return result
    result = Page.route_for_request(request, path)
    if result is not None:
        _remember(request, keys, result[0], components)
    return result


def _keys(request: HttpRequest, roots: list[Any], components: list[str]) -> dict[str, int]:
    """One key per path prefix, the longest first, at most MAX_DEPTH segments deep: a page
    remembered under a prefix also answers the paths below it (a routable page's routes, a
    child page's path). Each key is a digest of fixed length, whatever the path's length."""
    # as Wagtail picks the site: the host's name (not its port, which a client may vary) and
    # the request's port
    host = split_domain_port(request._get_raw_host())[0].lower()  # type: ignore[attr-defined]
    scope = hashlib.sha256(f"{roots!r}|{host}|{request.get_port()}|{get_language()}".encode())
    out = {}
    for count in range(min(len(components), MAX_DEPTH), -1, -1):
        digest = scope.copy()  # the roots' repr is hashed once, not once per prefix
        digest.update("/".join(components[:count]).encode())
        out[f"page-route:v{KEY_VERSION}:{digest.hexdigest()[:40]}"] = count
    return out


def _follow(request: HttpRequest, route: Route, rest: list[str]) -> Any:
    """The page's own route for the rest of the path, or False if the page moved, was
    unpublished or deleted since it was remembered."""
    try:
        model = apps.get_model(route.model)
    except LookupError:
        return False
    page = model.objects.filter(pk=route.page_id, live=True, url_path=route.url_path).first()
    if page is None:
        return False
    request._wagtail_site = route.site  # type: ignore[attr-defined]
    try:
        return page.route(request, rest)
    except Http404:
        return None


def _remember(
    request: HttpRequest, keys: dict[str, int], page: Page, components: list[str]
) -> None:
    """Keep the page under the prefix of the path that leads to it (none if the path and the
    page's place in the tree do not agree, which a custom route could make them)."""
    site = getattr(request, "_wagtail_site", None)
    if site is None:
        return
    segments = [part for part in page.url_path.split("/") if part]
    for root in request._wagtail_cached_site_root_paths:  # type: ignore[attr-defined]
        root_segments = [part for part in root.root_path.split("/") if part]
        if root.site_id != site.pk or segments[: len(root_segments)] != root_segments:
            continue
        below = segments[len(root_segments) :]
        if components[: len(below)] != below or len(below) > MAX_DEPTH:
            return
        if root.language_code != get_language():
            return  # Wagtail fell back to another language's tree: walk it again next time
        key = next(k for k, count in keys.items() if count == len(below))
        route = Route(site=site, page_id=page.pk, model=page._meta.label, url_path=page.url_path)
        cache.set(key, route, ROUTE_SECONDS)
        return

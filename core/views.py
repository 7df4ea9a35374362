from celery import current_app as celery_app
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def _cache_ok() -> bool:
    try:
        cache.set("health:ping", "pong", 10)
        return cache.get("health:ping") == "pong"
    except Exception:
        return False


def _broker_ok() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            return True
    except Exception:
        return False


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Whether the database, the cache and the broker answer (503 if any does not)."""
    checks = {"database": _database_ok(), "cache": _cache_ok(), "broker": _broker_ok()}
    ok = all(checks.values())
    transport = str(celery_app.conf.broker_url or "").split(":", 1)[0]  # never the password
    return JsonResponse(
        {"status": "ok" if ok else "error", **checks, "broker_transport": transport},
        status=200 if ok else 503,
    )


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page links: send them to the static one."""
    from django.contrib.staticfiles.storage import staticfiles_storage

    return HttpResponseRedirect(staticfiles_storage.url("favicon.ico"))


def page_serve(request: HttpRequest, path: str) -> HttpResponse:
    """Wagtail's page view, routed through the remembered routes of core.page_routes."""
    from wagtail.views import serve

    from core.page_routes import route_for_request

    route_for_request(request, path)
    return serve(request, path)  # type: ignore[no-any-return]

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from accounts.views import admin_login_redirect
from core.views import favicon, health, page_serve
from donations.views import stripe_webhook

admin.site.site_header = "Wishpool"

# Machine endpoints and admin screens: no language prefix.
urlpatterns = [
    path("health/", health, name="health"),
    path("favicon.ico", favicon),
    path("stripe/webhook/", stripe_webhook, name="stripe_webhook"),
    path("django-admin/login/", admin_login_redirect, name="django_admin_login"),
    path("django-admin/", admin.site.urls),
    path("cms/login/", admin_login_redirect, name="wagtail_login"),
    path("cms/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("", include("api.urls")),  # open data: /api/v1/
]

# People's pages: zh-hans unprefixed (the default), English under /en/.
urlpatterns += i18n_patterns(
    path("accounts/", include("allauth.urls")),
    path("my/", include("accounts.urls")),
    path("", include("donations.urls")),
    path("", include("wishes.urls")),
    path("", include("lending.urls")),
    path("", include("reports.urls")),
    path("", include("portal.urls")),
    # Wagtail's own front-end paths, then its pages, found by the remembered routes of
    # core.page_routes (Wagtail's serve view behind them)
    path("", include([p for p in wagtail_urls.urlpatterns if p.name != "wagtail_serve"])),
    re_path(wagtail_urls.serve_pattern, page_serve, name="wagtail_serve"),
    prefix_default_language=False,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns = static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT) + urlpatterns

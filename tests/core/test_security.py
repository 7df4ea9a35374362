"""Login rate limits behind the proxy, the browser policies (CSP, Permissions-Policy), uploads."""

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from allauth.account import app_settings as allauth_account_settings
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from portal import content
from tests.accounts import factories as f
from tests.test_deploy import production_setting
from wishes.models import Wish

pytestmark = pytest.mark.django_db

# ---------------------------------------------------------------------------------------------
# Login rate limits: every request reaches gunicorn from nginx on 127.0.0.1.

NGINX_EXAMPLE = Path(django_settings.BASE_DIR) / "site/deploy/nginx.conf.example"
LOGIN = "/en/accounts/login/"
TOO_MANY = "Too many failed login attempts"


def _behind_nginx(client_ip: str, sent: str = "") -> dict[str, str]:
    """The request as gunicorn sees it: from nginx, with the X-Forwarded-For nginx builds
    ($proxy_add_x_forwarded_for: whatever the client sent, then the address nginx saw)."""
    return {
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_X_FORWARDED_FOR": f"{sent}, {client_ip}" if sent else client_ip,
    }


@pytest.fixture
def login_rate_limits(settings):  # type: ignore[no-untyped-def]
    settings.ACCOUNT_RATE_LIMITS = {}  # allauth's defaults, as in production
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "wishpool-rate-limit-test",
        }
    }
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = int(production_setting("ALLAUTH_TRUSTED_PROXY_COUNT"))
    cache.clear()
    yield
    cache.clear()


def _failures_allowed_per_address() -> int:
    rates = allauth_account_settings.RATE_LIMITS["login_failed"]
    (per_ip,) = [rate for rate in rates.split(",") if rate.strip().endswith("/ip")]
    return int(per_ip.split("/")[0])


def test_the_example_nginx_passes_the_client_address_last():
    text = NGINX_EXAMPLE.read_text()
    assert re.search(r"proxy_set_header\s+X-Forwarded-For\s+\$proxy_add_x_forwarded_for;", text)


def test_failed_logins_behind_the_proxy_are_counted_per_client(login_rate_limits):
    neighbour = f.UserFactory()
    attacker = Client()
    allowed = _failures_allowed_per_address()
    for n in range(allowed):
        # A new address each time, and a forged X-Forwarded-For entry that changes too.
        response = attacker.post(
            LOGIN,
            {"login": f"guess{n}@example.org", "password": "wrong-password"},
            **_behind_nginx("203.0.113.7", sent=f"198.51.100.{n}"),
        )
        assert response.status_code == 200
        assert TOO_MANY not in response.content.decode()
    response = attacker.post(
        LOGIN,
        {"login": "one-more@example.org", "password": "wrong-password"},
        **_behind_nginx("203.0.113.7", sent="198.51.100.250"),
    )
    assert TOO_MANY in response.content.decode()

    other = Client()
    response = other.post(
        LOGIN, {"login": neighbour.email, "password": f.PASSWORD}, **_behind_nginx("203.0.113.8")
    )
    assert response.status_code == 302, "the neighbour was locked out with the attacker"
    assert other.session["_auth_user_id"] == str(neighbour.pk)


# ---------------------------------------------------------------------------------------------
# Content-Security-Policy and Permissions-Policy.

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(?:ld\+)?json)[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def _policy(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.parametrize(
    "url", ["/", "/en/", "/wishes/", "/transparency/", "/accounts/login/", "/en/accounts/signup/"]
)
def test_public_pages_run_no_inline_script_and_get_a_strict_policy(client, url):
    content.demo_pages_ensure()
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert not INLINE_SCRIPT.search(html)
    assert not EVENT_HANDLER.search(html)

    policy = _policy(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'self'" in policy["form-action"]
    assert not any("unsafe" in value for value in policy["script-src"] + policy["style-src"])
    for feature in ("camera=()", "geolocation=()", "microphone=()", "payment=()"):
        assert feature in response["Permissions-Policy"]


def test_signed_in_pages_get_the_policy_too(client):
    client.force_login(f.UserFactory())
    response = client.get(reverse("accounts:dashboard"))
    assert response.status_code == 200
    assert _policy(response)["script-src"] == ["'self'"]


@pytest.mark.parametrize("url", ["/cms/", "/cms/login/", "/django-admin/", "/django-admin/login/"])
def test_admin_login_redirects_get_sensible_headers(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    # The admins use inline scripts and styles: the strict policy is not theirs.
    assert "Content-Security-Policy" not in response
    login = client.get(response["Location"], follow=True)
    assert login.status_code == 200
    assert login.request["PATH_INFO"] == reverse("account_login")
    assert _policy(login)["script-src"] == ["'self'"]


def test_the_wagtail_admin_still_runs_its_inline_scripts(client):
    client.force_login(f.UserFactory(is_staff=True, is_superuser=True))
    response = client.get("/cms/pages/")
    assert response.status_code == 200
    assert "Content-Security-Policy" not in response
    assert "camera=()" in response["Permissions-Policy"]


# ---------------------------------------------------------------------------------------------
# Uploads: only JPEG and PNG, judged by what Pillow decodes, never by the name or the type sent.

NOT_A_PHOTO = "This file is not a photo we can read (use JPEG or PNG)."


def _image(format: str, **options: object) -> bytes:
    image = Image.new("RGB", (40, 30), (30, 120, 200))
    out = io.BytesIO()
    image.save(out, format=format, **options)
    return out.getvalue()


def _post_wish(client, photo: SimpleUploadedFile):  # type: ignore[no-untyped-def]
    worker = f.worker()
    resident = f.resident(by=worker)
    client.force_login(worker)
    return client.post(
        reverse("wishes:new"),
        {
            "resident": resident.pk,
            "consent": "phone",
            "title": "带照片",
            "story": "看图",
            "category": "other",
            "kind": "item",
            "quantity": 1,
            "needed_by": (timezone.localdate() + timedelta(days=5)).isoformat(),
            "photo": photo,
        },
    )


def _stored_files() -> list[Path]:
    return [p for p in Path(django_settings.PRIVATE_MEDIA_ROOT).rglob("*") if p.is_file()]


@pytest.mark.parametrize("format", ["TIFF", "GIF"])
def test_photos_other_than_jpeg_or_png_are_refused_and_nothing_is_stored(client, format):
    photo = SimpleUploadedFile("photo.jpg", _image(format), content_type="image/jpeg")
    response = _post_wish(client, photo)
    assert response.status_code == 200
    with translation.override("zh-hans"):
        assert response.context["form"].non_field_errors() == [translation.gettext(NOT_A_PHOTO)]
    assert not Wish.objects.filter(title="带照片").exists()
    assert _stored_files() == []


@pytest.mark.parametrize(
    ("format", "options"),
    [("PNG", {}), ("JPEG", {}), ("MPO", {"save_all": True})],  # MPO: a phone camera's JPEG
)
def test_jpeg_and_png_photos_are_accepted_whatever_their_name(client, format, options):
    photo = SimpleUploadedFile("photo.bin", _image(format, **options), content_type="text/plain")
    response = _post_wish(client, photo)
    assert response.status_code == 302
    assert Wish.objects.get(title="带照片").photo
    (stored,) = _stored_files()
    assert Image.open(stored).format == "JPEG"

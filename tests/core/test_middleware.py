"""The policy header built once per process says what django-csp would say, every time."""

import pytest
from csp.exceptions import CSPNonceError
from csp.middleware import CSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from core.middleware import ContentSecurityPolicyMiddleware

rf = RequestFactory()


def _both(path: str, response_attrs: dict[str, object] | None = None) -> tuple[dict, dict]:  # type: ignore[type-arg]
    """The headers each middleware sets on the same request and response."""
    answers = []
    for middleware in (ContentSecurityPolicyMiddleware, CSPMiddleware):
        request = rf.get(path)
        mw = middleware(lambda r: HttpResponse("ok"))
        mw.process_request(request)
        response = HttpResponse("ok")
        for name, value in (response_attrs or {}).items():
            setattr(response, name, value)
        mw.process_response(request, response)
        answers.append(dict(response.headers))
    return answers[0], answers[1]


def test_the_kept_policy_is_django_csps_own():
    ours, theirs = _both("/wishes/")
    assert ours["Content-Security-Policy"] == theirs["Content-Security-Policy"]
    assert "default-src 'self'" in ours["Content-Security-Policy"]
    assert "Content-Security-Policy-Report-Only" not in ours


def test_a_changed_setting_is_built_anew_and_excluded_paths_stay_bare():
    ContentSecurityPolicyMiddleware._memo = None
    first, _ = _both("/wishes/")
    policy = {"DIRECTIVES": {"default-src": ["'none'"]}, "EXCLUDE_URL_PREFIXES": ["/cms/"]}
    report = {"DIRECTIVES": {"img-src": ["'self'"]}}
    with override_settings(
        CONTENT_SECURITY_POLICY=policy, CONTENT_SECURITY_POLICY_REPORT_ONLY=report
    ):
        ours, theirs = _both("/wishes/")
        assert ours == theirs
        assert "default-src 'none'" in ours["Content-Security-Policy"]
        assert "img-src 'self'" in ours["Content-Security-Policy-Report-Only"]
        bare, _ = _both("/cms/pages/")
        assert "Content-Security-Policy" not in bare
    again, _ = _both("/wishes/")
    assert again["Content-Security-Policy"] == first["Content-Security-Policy"]


def test_a_views_own_policy_still_goes_through_django_csp():
    ours, theirs = _both("/wishes/", {"_csp_update": {"img-src": ["https://example.org"]}})
    assert ours["Content-Security-Policy"] == theirs["Content-Security-Policy"]
    assert "https://example.org" in ours["Content-Security-Policy"]
    plain, _ = _both("/wishes/")
    assert "https://example.org" not in plain["Content-Security-Policy"]


def test_a_nonce_asked_for_after_the_header_is_an_error():
    request = rf.get("/wishes/")
    mw = ContentSecurityPolicyMiddleware(lambda r: HttpResponse("ok"))
    mw.process_request(request)
    mw.process_response(request, HttpResponse("ok"))
    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)  # type: ignore[attr-defined]

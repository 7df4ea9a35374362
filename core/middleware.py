"""Middleware of our own, below every domain."""

from typing import Any

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase

_PER_RESPONSE = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp, with the site's one policy built once per process instead of per response.

    django-csp renders the policy string from the settings on every response: about a
    sixth of the time of a cached wish-board hit. A response that a view gave a policy of
    its own, a request that asked for a nonce, and DEBUG go through django-csp unchanged.
    The memo holds the settings' objects it was built from, so a changed setting (a test)
    builds anew.
    """

    _memo: tuple[dict[str, Any], dict[str, Any], str, str] | None = None

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if (
            settings.DEBUG
            or getattr(request, "_csp_nonce", None) is not None
            or any(getattr(response, name, None) is not None for name in _PER_RESPONSE)
        ):
            return super().process_response(request, response)
        policy: dict[str, Any] = getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}
        report_only: dict[str, Any] = (
            getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None) or {}
        )
        memo = self._memo
        if memo is None or memo[0] is not policy or memo[1] is not report_only:
            memo = (policy, report_only, build_policy(), build_policy(report_only=True))
            type(self)._memo = memo
        for header, value, config, exempt in (
            (HEADER, memo[2], policy, "_csp_exempt"),
            (HEADER_REPORT_ONLY, memo[3], report_only, "_csp_exempt_ro"),
        ):
            excluded = tuple(config.get("EXCLUDE_URL_PREFIXES") or ())
            if (
                value
                and header not in response
                and not getattr(response, exempt, False)
                and not request.path_info.startswith(excluded)
            ):
                response[header] = value
        # as django-csp does: a nonce asked for once the header is written is an error
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response

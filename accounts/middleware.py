"""TOTP is required for the roles accounts.selectors.requires_mfa names and for anyone in the
Django admin. Roles are read on every request, so a role given a moment ago applies at the
person's next request."""

from collections.abc import Callable

from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from accounts import selectors

EXEMPT_PREFIXES = ("/accounts/", "/en/accounts/", "/static/", "/health/", "/media/")


class RequireMFAMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(EXEMPT_PREFIXES)
            and (
                (request.path.startswith("/django-admin/") and user.is_staff)
                or selectors.requires_mfa(user)
            )
            and not is_mfa_enabled(user)
        ):
            messages.warning(
                request, _("Set up two-factor authentication (TOTP) before you continue.")
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)

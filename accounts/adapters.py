import time
from typing import Any

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from allauth.core import context as allauth_context
from django.conf import settings
from django.http import HttpRequest
from django.utils import translation


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """E-mails go out in the recipient's language when we know it, in the fund's name
        (templates/account/email/)."""
        user = context.get("user")
        language = getattr(user, "language", None) or translation.get_language()
        with translation.override(language):
            context = {"fund_name": fund_name(), "site_url": settings.SITE_URL, **context}
            super().send_mail(template_prefix, email, context)

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """Someone who signed in moments ago is not asked for their password again.

        allauth counts only an explicit re-authentication as recent, not the sign-in itself, so
        a fund administrator or community worker sent to set up TOTP straight after signing in
        (accounts.middleware) was asked for the password a second time. A sign-in counts like a
        re-authentication for allauth's ``ACCOUNT_REAUTHENTICATION_TIMEOUT``.
        """
        if not super().is_reauthentication_required(app=app, **kwargs):
            return False
        request = self.request or allauth_context.request
        return request is None or not signed_in_recently(request)


def signed_in_recently(request: HttpRequest) -> bool:
    """Whether this session's person authenticated (signed in, passed TOTP or re-authenticated)
    within allauth's re-authentication timeout."""
    user = request.user
    if not user.is_authenticated:
        return False
    records = get_authentication_records(request, user)
    if not records:
        return False
    return time.time() - records[-1]["at"] < account_settings.REAUTHENTICATION_TIMEOUT


def fund_name() -> str:
    """The fund's name (WISHPOOL_FUND_NAME), else the site's name in the active language."""
    return settings.WISHPOOL_FUND_NAME or translation.gettext("Wishpool")

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from accounts.models import User

View = Callable[..., HttpResponse]


class AuthedHttpRequest(HttpRequest):
    """A request behind login_required: its user is a signed-in User."""

    user: User  # type: ignore[assignment]


def fund_administrator_required(view: View) -> View:
    """Staff screens: fund administrators only (Wagtail turns the refusal into a 403 or a
    redirect to the admin's home with a message; the services check again)."""
    from accounts.selectors import is_fund_administrator

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_fund_administrator(request.user):  # type: ignore[arg-type]
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped

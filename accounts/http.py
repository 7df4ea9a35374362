from django.http import HttpRequest

from accounts.models import User


class AuthedHttpRequest(HttpRequest):
    """A request behind login_required: its user is a signed-in User."""

    user: User  # type: ignore[assignment]

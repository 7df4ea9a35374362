"""What the page frame needs to know about the person: which menu fits their role."""

from typing import Any

from django.http import HttpRequest

from accounts import selectors


def nav(request: HttpRequest) -> dict[str, Any]:
    """A resident sees her wishes, a worker the review queue, a donor giving; one role each."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_role": "visitor"}
    if selectors.is_fund_administrator(user):
        role = "fund_admin"
    elif selectors.is_community_worker(user):
        role = "worker"
    elif user.kind == user.Kind.RESIDENT:
        role = "resident"
    else:
        role = "donor"
    return {"nav_role": role}

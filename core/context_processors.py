from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    return {
        "members_only": settings.WISHPOOL_MEMBERS_ONLY,
        "fund_name": settings.WISHPOOL_FUND_NAME,
    }

"""Rate limits per client (by address), kept in the shared cache so every web process counts
the same requests."""

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle


class ClientRateThrottle(AnonRateThrottle):
    scope = "open-data"

    def get_rate(self) -> str:
        return str(settings.WISHPOOL_API_RATE)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The top layer: the public site and everything that reads across every domain."""

    name = "portal"
    verbose_name = _("Public site")

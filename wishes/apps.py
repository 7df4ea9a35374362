from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WishesConfig(AppConfig):
    name = "wishes"
    verbose_name = _("Micro-wishes")

    def ready(self) -> None:
        from charity.purposes import purpose_register
        from wishes.purposes import WishPurpose

        purpose_register(WishPurpose())

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LendingConfig(AppConfig):
    name = "lending"
    verbose_name = _("Equipment lending")

    def ready(self) -> None:
        from charity.purposes import purpose_register
        from lending.purposes import LoanPurpose

        purpose_register(LoanPurpose())

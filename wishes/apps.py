from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WishesConfig(AppConfig):
    name = "wishes"
    verbose_name = _("Micro-wishes")

    def ready(self) -> None:
        from charity.purposes import purpose_register
        from donations.giving import goods_needs_register, goods_uses_register
        from wishes.purposes import ProjectPurpose, WishPurpose
        from wishes.selectors import goods_filled_for_donor, open_needs_for_goods

        purpose_register(WishPurpose())
        purpose_register(ProjectPurpose())
        goods_uses_register(goods_filled_for_donor)
        goods_needs_register(open_needs_for_goods)

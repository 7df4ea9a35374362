"""The wish's side of the payment path: what charity and donations may ask of a wish.

Registered for the key "wish" in WishesConfig.ready(); see charity.purposes for the contract.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from charity.models import Fund
from wishes.models import PROJECT_GIFT_PURPOSE, WISH_PURPOSE, Campaign, ChipIn, ProjectGift, Wish
from wishes.services import chipins, project_gifts


class WishPurpose:
    key = WISH_PURPOSE
    # A wish's target is held share by share (chip-ins): money it did not hold for is refused.
    accepts_offline_income = False
    # A wish counts every gift at its full amount; Stripe's fee is the general pool's cost.
    fees_to_general_pool = True
    # A chip-in's hold lives as long as its one checkout.
    one_checkout_per_pledge = True
    # Money for a wish is a gift: receipted, listed, counted in the giver's giving.
    is_gift = True

    def credits(self, *, purpose_id: int, amount: Decimal) -> list[tuple[str, Decimal]] | None:
        return None

    def debits(self, *, purpose_id: int, amount: Decimal) -> list[tuple[str, Decimal]] | None:
        return None

    def label(self, *, purpose_id: int) -> str:
        title = Wish.objects.filter(pk=purpose_id).values_list("title", flat=True).first()
        return _("Micro-wish: %(title)s") % {"title": title} if title else ""

    def reserve(self, *, purpose_id: int, amount: Decimal) -> None:
        chipins.wish_disbursement_reserve(wish_id=purpose_id, amount=amount)

    def settle(self, *, purpose_id: int, pledge_id: int) -> Fund | None:
        return chipins.chipin_settle(pledge_id=pledge_id)

    def release(self, *, purpose_id: int, pledge_id: int, reason: str) -> None:
        chipin = ChipIn.objects.filter(pledge_id=pledge_id).first()
        if chipin is not None:
            chipins.chipin_release(chipin=chipin, reason=reason)

    def funded(self, *, purpose_id: int) -> None:
        chipins.wish_mark_funded_if_complete(wish_id=purpose_id)

    def overflowed(self, *, purpose_id: int, pledge_id: int, donation_id: int) -> None:
        chipins.overflow_handle(pledge_id=pledge_id, donation_id=donation_id)

    def refund_check(self, *, purpose_id: int) -> None:
        return None

    def returned(self, *, purpose_id: int, amount: Decimal) -> None:
        chipins.wish_money_returned(wish_id=purpose_id, amount=amount)


class ProjectPurpose:
    """A gift to a whole charity project, shared out over its money wishes."""

    key = PROJECT_GIFT_PURPOSE
    accepts_offline_income = False  # shares are held per gift: money it did not hold is refused
    fees_to_general_pool = True  # each wish counts its share in full
    one_checkout_per_pledge = True
    is_gift = True

    def credits(self, *, purpose_id: int, amount: Decimal) -> list[tuple[str, Decimal]] | None:
        return None

    def debits(self, *, purpose_id: int, amount: Decimal) -> list[tuple[str, Decimal]] | None:
        return None

    def label(self, *, purpose_id: int) -> str:
        name = Campaign.objects.filter(pk=purpose_id).values_list("name", flat=True).first()
        return _("Charity project: %(name)s") % {"name": name} if name else ""

    def reserve(self, *, purpose_id: int, amount: Decimal) -> None:
        raise ValidationError(_("Fund the project's wishes one by one."))

    def settle(self, *, purpose_id: int, pledge_id: int) -> Fund | None:
        return project_gifts.project_gift_settle(pledge_id=pledge_id)

    def release(self, *, purpose_id: int, pledge_id: int, reason: str) -> None:
        if ProjectGift.objects.filter(pledge_id=pledge_id).exists():
            project_gifts.project_gift_release(pledge_id=pledge_id, reason=reason)

    def funded(self, *, purpose_id: int) -> None:
        project_gifts.project_gifts_share_out(campaign_id=purpose_id)

    def overflowed(self, *, purpose_id: int, pledge_id: int, donation_id: int) -> None:
        project_gifts.project_overflow_handle(pledge_id=pledge_id, donation_id=donation_id)

    def refund_check(self, *, purpose_id: int) -> None:
        project_gifts.project_refund_check()

    def returned(self, *, purpose_id: int, amount: Decimal) -> None:
        return None  # never reached: refund_check refuses a refund first

"""Who may act on a warehouse's equipment: the fund office anywhere, a community worker at
their own station's warehouse. One rule, used by every lending service that moves items."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from accounts import selectors as account_selectors
from accounts.models import User, Warehouse


def warehouse_staff_check(*, by: User, warehouse: Warehouse, refusal: str | None = None) -> None:
    if account_selectors.is_fund_administrator(by):
        return
    if (
        account_selectors.is_community_worker(by)
        and warehouse.station_id is not None
        and warehouse.station_id == by.station_id
    ):
        return
    raise PermissionDenied(refusal or _("Only the staff of this warehouse can do this."))

"""Every write about lending, one module per part of the work; the names are re-exported
here so views, tasks and commands call ``services.<noun>_<verb>``."""

from lending.services.handover import (
    item_by_tag,
    item_inspect,
    loan_assess,
    loan_checkin,
    loan_checkout,
    station_staff_check,
)
from lending.services.lenders import item_lend_in, items_from_stock_lot, lender_terms_due
from lending.services.loans import (
    equipment_type_create,
    equipment_type_update,
    item_add,
    loan_request,
)
from lending.services.payments import (
    loan_deposit_settle,
    loan_pay_cash,
    loan_pay_online_start,
)
from lending.services.reminders import loan_reminders_send_due, loan_renew
from lending.services.transfers import (
    transfer_cancel,
    transfer_dispatch,
    transfer_on_the_way,
    transfer_receive,
    transfer_request,
)
from lending.services.waitlist import (
    waitlist_offer_accept,
    waitlist_offer_decline,
    waitlist_offer_next,
    waitlist_offers_expire,
    waitlist_urgency_set,
)

__all__ = [
    "equipment_type_create",
    "equipment_type_update",
    "item_add",
    "item_by_tag",
    "item_inspect",
    "item_lend_in",
    "items_from_stock_lot",
    "lender_terms_due",
    "loan_assess",
    "loan_checkin",
    "loan_checkout",
    "loan_deposit_settle",
    "loan_pay_cash",
    "loan_pay_online_start",
    "loan_reminders_send_due",
    "loan_renew",
    "loan_request",
    "station_staff_check",
    "transfer_cancel",
    "transfer_dispatch",
    "transfer_on_the_way",
    "transfer_receive",
    "transfer_request",
    "waitlist_offer_accept",
    "waitlist_offer_decline",
    "waitlist_offer_next",
    "waitlist_offers_expire",
    "waitlist_urgency_set",
]

from donations.models.donors import Donor
from donations.models.payments import Donation, GoodsIntake, Refund, StripeEvent
from donations.models.pledges import CheckoutSession, Pledge
from donations.models.receipts import Receipt, ReceiptCounter

__all__ = [
    "CheckoutSession",
    "Donation",
    "Donor",
    "GoodsIntake",
    "Pledge",
    "Receipt",
    "ReceiptCounter",
    "Refund",
    "StripeEvent",
]

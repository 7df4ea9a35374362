"""The loan purpose: how the payment path books a borrower's online payment of a loan's fee
and deposit, without knowing what a loan is (registered in LendingConfig.ready())."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from charity.models import Fund
from lending.models import Loan
from lending.services import payments


class LoanPurpose:
    key = payments.LOAN_PURPOSE
    # Cash for a loan is recorded by the station's worker, never as offline income.
    accepts_offline_income = False
    # Stripe's fee on a loan's payment is the lending fund's cost.
    fees_to_general_pool = False
    # A loan keeps one pledge while it waits: Pay again reopens the same Checkout.
    one_checkout_per_pledge = False
    # A fee and a deposit pay for a service: no receipt, never counted as giving.
    is_gift = False

    def label(self, *, purpose_id: int) -> str:
        loan = Loan.objects.select_related("item__type").filter(pk=purpose_id).first()
        if loan is None:
            return ""
        return _("Equipment loan #%(id)s: %(type)s, fee ¥%(fee)s and deposit ¥%(deposit)s") % {
            "id": loan.pk,
            "type": loan.item.type.display_name,
            "fee": loan.fee,
            "deposit": loan.deposit,
        }

    def reserve(self, *, purpose_id: int, amount: Decimal) -> None:
        raise ValidationError(_("Nothing is disbursed into a loan."))

    def settle(self, *, purpose_id: int, pledge_id: int) -> Fund | None:
        return payments.loan_settle_online(loan_id=purpose_id, pledge_id=pledge_id)

    def release(self, *, purpose_id: int, pledge_id: int, reason: str) -> None:
        """Nothing is held for a payment that lapsed: the loan waits for payment still."""

    def funded(self, *, purpose_id: int) -> None:
        """The loan was marked paid in ``settle``."""

    def overflowed(self, *, purpose_id: int, pledge_id: int, donation_id: int) -> None:
        from donations import tasks

        transaction.on_commit(lambda: tasks.refund_overflow.delay(donation_id))

    def refund_check(self, *, purpose_id: int) -> None:
        return None

    def returned(self, *, purpose_id: int, amount: Decimal) -> None:
        payments.loan_refund_recorded(loan_id=purpose_id)

    def credits(self, *, purpose_id: int, amount: Decimal) -> list[tuple[str, Decimal]] | None:
        return payments.loan_payment_parts(loan_id=purpose_id, amount=amount)

    def debits(self, *, purpose_id: int, amount: Decimal) -> list[tuple[str, Decimal]] | None:
        return payments.loan_refund_parts(loan_id=purpose_id, amount=amount)

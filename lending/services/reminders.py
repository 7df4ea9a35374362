"""Due dates: reminders three days before, on the day and once overdue; renewals when nobody
waits. A reminder is a row written before its e-mail is queued, unique per loan, kind and due
date, so the beat job may run twice (or on two hosts) and each reminder still goes once."""

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from charity.models import Account, LedgerEntry
from charity.services import Leg, account_get, entry_post, memo_text
from core.transitions import transition_record
from lending import selectors
from lending.models import Item, Loan, LoanReminder
from lending.services import notify
from lending.services.handover import station_staff_check
from lending.services.loans import may_request
from lending.services.payments import lending_fund
from lending.services.waitlist import waiting_anyone


def loan_reminders_send_due() -> int:
    """Beat (hourly): record and queue today's reminders; returns how many were new."""
    today = timezone.localdate()
    out = Loan.objects.filter(status=Loan.Status.ON_LOAN)
    due = [
        (LoanReminder.Kind.SOON, out.filter(ends_on=today + timedelta(days=3))),
        (LoanReminder.Kind.DUE, out.filter(ends_on=today)),
        (LoanReminder.Kind.OVERDUE, out.filter(ends_on__lt=today)),
    ]
    made = 0
    for kind, loans in due:
        for loan_id, ends_on in loans.values_list("pk", "ends_on"):
            try:
                with transaction.atomic():
                    reminder = LoanReminder.objects.create(
                        loan_id=loan_id, kind=kind, due_on=ends_on
                    )
                    notify.reminder_notify(reminder=reminder)
            except IntegrityError:
                continue  # already reminded of this date (a second run, another host)
            made += 1
    return made


def loan_renew(*, loan: Loan, by: User, days: int, from_end: date | None = None) -> Loan:
    """Keep a loan longer, when nobody at the station waits for the type and the item is not
    booked after it (nor due back to its owner). A paid loan's extra days are paid in cash at
    the station when renewed (booked to the lending fund); a free loan stays free.
    ``from_end`` is the due date the worker saw: if the loan was renewed meanwhile (a double
    click), nothing happens twice."""
    if not 1 <= days <= 90:
        raise ValidationError(_("Renew for 1 to 90 days."))
    with transaction.atomic():
        Item.objects.select_for_update().filter(pk=loan.item_id).first()  # bookings wait
        locked = (
            Loan.objects.select_for_update(of=("self",))
            .select_related("item__warehouse", "item__type", "resident")
            .get(pk=loan.pk)
        )
        if from_end is not None and locked.ends_on != from_end:
            raise ValidationError(
                _("This loan was just renewed: it is now due back on %(day)s.")
                % {"day": locked.ends_on}
            )
        if not may_request(by=by, resident=locked.resident):
            raise PermissionDenied
        if not locked.free:
            station_staff_check(by=by, item=locked.item)  # the extra fee is paid at the station
        if locked.status != Loan.Status.ON_LOAN:
            raise ValidationError(_("Only equipment that is out can be renewed."))
        if waiting_anyone(item=locked.item):
            raise ValidationError(
                _("Someone is waiting for this equipment, so it cannot be renewed.")
            )
        new_end = locked.ends_on + timedelta(days=days)
        if (new_end - locked.starts_on).days + 1 > locked.item.type.max_days:
            raise ValidationError(
                _("A loan lasts at most %(days)s days.") % {"days": locked.item.type.max_days}
            )
        lent_until = locked.item.lent_until
        if lent_until is not None and new_end > lent_until:
            raise ValidationError(
                _("This item goes back to its owner on %(day)s.") % {"day": lent_until}
            )
        others = selectors.overlapping(
            item_ids=[locked.item_id],
            starts_on=locked.ends_on + timedelta(days=1),
            ends_on=new_end,
        )
        if others:
            raise ValidationError(_("This item is booked for someone else on those days."))
        extra = Decimal(0) if locked.free else locked.item.type.daily_fee * days
        if extra:
            entry_post(
                kind=LedgerEntry.Kind.FEE,
                memo=memo_text(
                    gettext_noop("Loan #%(id)s renewed %(days)s days: fee %(fee)s in cash"),
                    id=locked.pk,
                    days=days,
                    fee=extra,
                ),
                legs=[
                    Leg(account_get(kind=Account.Kind.CASH), extra),
                    Leg(account_get(kind=Account.Kind.FUND, fund=lending_fund()), -extra),
                ],
                reference=f"loan:{locked.pk}:renew:{new_end.isoformat()}",
                created_by=by,
            )
        before = locked.ends_on
        locked.ends_on, locked.fee = new_end, locked.fee + extra
        locked.save(update_fields=["ends_on", "fee"])
        transition_record(
            obj=locked,
            from_state=locked.status,
            to_state=locked.status,
            by=by,
            reason=f"renewed {before} → {new_end}",
        )
        return locked

"""Who is told what about a loan or an offer, by e-mail in each person's language, after
commit. A resident without an account is reached through the station's workers, who phone
them; no e-mail carries a resident's private record."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts import roles
from accounts.models import Resident, Station, User
from lending.models import Item, Loan, LoanReminder, Transfer, WaitlistEntry

SUBJECTS = {
    "offer": gettext_noop("The equipment you waited for is ready for you"),
    LoanReminder.Kind.SOON: gettext_noop("Borrowed equipment: due back in three days"),
    LoanReminder.Kind.DUE: gettext_noop("Borrowed equipment: due back today"),
    LoanReminder.Kind.OVERDUE: gettext_noop("Borrowed equipment: please bring it back"),
}


def offer_notify(*, entry: WaitlistEntry) -> None:
    from lending import tasks

    transaction.on_commit(lambda: tasks.send_offer_notice.delay(entry.pk))


def reminder_notify(*, reminder: LoanReminder) -> None:
    from lending import tasks

    transaction.on_commit(lambda: tasks.send_loan_reminder.delay(reminder.pk))


def _contacts(resident: Resident, station: Station | None) -> tuple[list[User], bool]:
    """The resident if they have an account; else the station's workers (True: for them)."""
    if resident.user_id and resident.user and resident.user.email:
        return [resident.user], False
    if station is None:
        return [], True
    workers = station.workers.filter(is_active=True, groups__name=roles.COMMUNITY_WORKER)
    return list(workers), True


def _url(name: str, person: User, *args: object) -> str:
    with translation.override(person.language or settings.LANGUAGE_CODE):
        return settings.SITE_URL + reverse(name, args=args)


def _send(*, people: list[User], subject: str, template: str, context: dict[str, object]) -> int:
    sent = 0
    for person in people:
        if not person.email:
            continue
        with translation.override(person.language or settings.LANGUAGE_CODE):
            body = render_to_string(template, {**context, "person": person})
            send_mail(_(subject), body, None, [person.email])
        sent += 1
    return sent


def offer_notice_send(*, entry_id: int) -> int:
    entry = WaitlistEntry.objects.select_related("resident__user", "station", "type", "item").get(
        pk=entry_id
    )
    if entry.status != WaitlistEntry.Status.OFFERED:
        return 0  # accepted, declined or lapsed before the e-mail went: nothing to say
    people, for_them = _contacts(entry.resident, entry.station)
    return sum(
        _send(
            people=[person],
            subject=SUBJECTS["offer"],
            template="lending/email/offer.txt",
            context={
                "entry": entry,
                "for_them": for_them,
                "station": entry.station,
                "url": _url("lending:station" if for_them else "lending:mine", person),
            },
        )
        for person in people
    )


def reminder_send(*, reminder_id: int) -> int:
    reminder = LoanReminder.objects.select_related(
        "loan__resident__user", "loan__item__type", "loan__item__warehouse__station"
    ).get(pk=reminder_id)
    loan: Loan = reminder.loan
    if loan.status != Loan.Status.ON_LOAN:
        return 0  # back already
    station = loan.item.warehouse.station
    people, for_them = _contacts(loan.resident, station)
    return sum(
        _send(
            people=[person],
            subject=SUBJECTS[reminder.kind],
            template="lending/email/reminder.txt",
            context={
                "loan": loan,
                "kind": reminder.kind,
                "for_them": for_them,
                "station": station,
                "url": _url("lending:station" if for_them else "lending:mine", person),
            },
        )
        for person in people
    )


def transfer_missing_notify(*, transfer: Transfer) -> None:
    """The fund administrators hear of items that did not arrive (after commit)."""
    from donations import tasks

    params = {"id": transfer.pk, "missing": transfer.missing, "to": transfer.destination.name}
    transaction.on_commit(
        lambda: tasks.alert_staff.delay(
            subject=gettext_noop("Transfer #%(id)s arrived with %(missing)s items missing"),
            body=gettext_noop(
                "Transfer #%(id)s was received at %(to)s with %(missing)s items missing. "
                "They are flagged on the transfer's page; please find them."
            ),
            params=params,
        )
    )


def lender_terms_notify(*, items: list[Item]) -> None:
    """Staff are told two weeks ahead which lent items go back to their owners, and when."""
    from donations import tasks

    lines = "; ".join(f"{item.tag} ({item.lent_until})" for item in items)
    transaction.on_commit(
        lambda: tasks.alert_staff.delay(
            subject=gettext_noop("Lent equipment goes back to its owners soon"),
            body=gettext_noop(
                "The lending term of these items ends within two weeks: %(items)s. Please "
                "bring them in and arrange their return to the owners."
            ),
            params={"items": lines},
        )
    )

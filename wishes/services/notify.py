"""Who is told what about a wish, by e-mail in each person's language (after commit)."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from wishes.models import Claim, Wish

SUBJECTS = {
    "submitted": gettext_noop("A wish is waiting for your review"),
    "approved": gettext_noop("Your wish is on the wish board"),
    "changes_requested": gettext_noop("Please change your wish"),
    "rejected": gettext_noop("Your wish was not accepted"),
    "claimed": gettext_noop("Someone has claimed your wish"),
    "claim_lapsing": gettext_noop("Your claim on a wish lapses in two days"),
    "claim_lapsed": gettext_noop("Your claim on a wish has lapsed"),
    "delivered": gettext_noop("A wish has been delivered"),
    "fulfilled": gettext_noop("A wish you helped has come true"),
    "funded": gettext_noop("Your wish is fully funded"),
    "overflow": gettext_noop("Your gift went to the community pool"),
}


def notify(*, wish: Wish, event: str, claim: Claim | None = None) -> None:
    """Queue the e-mails for after the transaction commits."""
    from wishes import tasks

    claim_id = claim.pk if claim else None
    transaction.on_commit(lambda: tasks.send_wish_notice.delay(wish.pk, event, claim_id))


def _resident_contacts(wish: Wish) -> list[User]:
    """The resident if they have an account; else the station's workers act for them."""
    if wish.resident.user_id:
        return [wish.resident.user]  # type: ignore[list-item]
    contacts = {wish.posted_by_id: wish.posted_by}
    for worker in wish.station.workers.filter(is_active=True, groups__name="community_worker"):
        contacts.setdefault(worker.pk, worker)
    return list(contacts.values())


def _station_staff(wish: Wish) -> list[User]:
    return list(wish.station.workers.filter(is_active=True, groups__name="community_worker"))


def _recipients(wish: Wish, event: str, claim: Claim | None) -> list[User]:
    if event == "submitted":
        return [
            person for person in _station_staff(wish) if person.pk != wish.posted_by_id
        ] or _station_staff(wish)
    if event in ("claim_lapsing", "claim_lapsed") and claim is not None:
        return [claim.claimed_by]
    if event == "overflow" and claim is None:
        return []
    if event == "fulfilled":
        people = {c.claimed_by_id: c.claimed_by for c in wish.claims.select_related("claimed_by")}
        for chipin in wish.chip_ins.filter(pledge__donations__isnull=False).select_related(
            "pledge__created_by"
        ):
            people.setdefault(chipin.pledge.created_by_id, chipin.pledge.created_by)
        return list(people.values())
    return _resident_contacts(wish)


def notice_send(*, wish_id: int, event: str, claim_id: int | None = None) -> int:
    wish = Wish.objects.select_related("resident__user", "station", "posted_by").get(pk=wish_id)
    claim = (
        Claim.objects.select_related("claimed_by").filter(pk=claim_id).first() if claim_id else None
    )
    sent = 0
    for person in _recipients(wish, event, claim):
        if not person.email:
            continue
        with translation.override(person.language or settings.LANGUAGE_CODE):
            body = render_to_string(
                "wishes/email/notice.txt",
                {
                    "wish": wish,
                    "event": event,
                    "claim": claim,
                    "person": person,
                    "site_url": settings.SITE_URL,
                },
            )
            send_mail(_(SUBJECTS[event]), body, None, [person.email])
        sent += 1
    return sent


def overflow_notice_send(*, user: User, wish: Wish, amount: object, refunded: bool) -> None:
    with translation.override(user.language or settings.LANGUAGE_CODE):
        body = render_to_string(
            "wishes/email/overflow.txt",
            {"wish": wish, "amount": amount, "refunded": refunded, "person": user},
        )
        send_mail(_(SUBJECTS["overflow"]), body, None, [user.email])

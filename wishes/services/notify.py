"""Who is told what about a wish, by e-mail in each person's language (after commit)."""

from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from wishes.models import Claim, StockFill, Wish

SUBJECTS = {
    "submitted": gettext_noop("A wish is waiting for your review"),
    "approved": gettext_noop("Your wish is on the wish board"),
    "changes_requested": gettext_noop("Please change your wish"),
    "rejected": gettext_noop("Your wish was not accepted"),
    "claimed": gettext_noop("Someone has claimed your wish"),
    "claim_confirmed": gettext_noop("Thank you for claiming a wish: where to bring it"),
    "claim_lapsing": gettext_noop("Your claim on a wish lapses in two days"),
    "claim_lapsing_soon": gettext_noop("Your claim on a wish lapses within a day"),
    "claim_lapsed": gettext_noop("Your claim on a wish has lapsed"),
    "delivered": gettext_noop("A wish has been delivered"),
    "fulfilled": gettext_noop("A wish you helped has come true"),
    "funded": gettext_noop("Your wish is fully funded"),
    "overflow": gettext_noop("Your gift went to the community pool"),
    "filled_from_stock": gettext_noop("Good news: your wish will be filled"),
    "goods_used": gettext_noop("Your goods are filling a wish"),
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


def _goods_donors(wish: Wish) -> list[User]:
    """Who gave the stock that filled the wish: the person, or the company's administrators."""
    fill = StockFill.objects.live().filter(wish=wish).select_related("donor__user").first()
    if fill is None or fill.donor is None:
        return []
    if fill.donor.user is not None:
        return [fill.donor.user]
    return list(
        User.objects.filter(
            memberships__organisation=fill.donor.organisation,
            memberships__role="admin",
            is_active=True,
        )
    )


def _station_staff(wish: Wish) -> list[User]:
    return list(wish.station.workers.filter(is_active=True, groups__name="community_worker"))


def _recipients(wish: Wish, event: str, claim: Claim | None) -> list[User]:
    if event == "submitted":
        return [
            person for person in _station_staff(wish) if person.pk != wish.posted_by_id
        ] or _station_staff(wish)
    if event in ("claim_lapsing", "claim_confirmed") and claim is not None:
        return [claim.claimed_by]
    if event == "claim_lapsed" and claim is not None:
        # the donor, and whoever speaks for the resident: the wish is open again
        people = {claim.claimed_by_id: claim.claimed_by}
        for person in _resident_contacts(wish):
            people.setdefault(person.pk, person)
        return list(people.values())
    if event == "overflow" and claim is None:
        return []
    if event == "goods_used":
        return _goods_donors(wish)
    if event == "fulfilled":
        people = {c.claimed_by_id: c.claimed_by for c in wish.claims.select_related("claimed_by")}
        for person in _goods_donors(wish):
            people.setdefault(person.pk, person)
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
    subject = SUBJECTS[event]
    if (
        event == "claim_lapsing"
        and claim is not None
        and claim.deadline - timezone.now() <= timedelta(days=1)
    ):
        subject = SUBJECTS["claim_lapsing_soon"]
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
                    "station": wish.station,
                    "details_url": _details_url(wish=wish, person=person),
                },
            )
            send_mail(_(subject), body, None, [person.email])
        sent += 1
    return sent


def _details_url(*, wish: Wish, person: User) -> str:
    """The wish itself: its private page for those who may see it, else its public page."""
    from wishes import selectors

    if selectors.wishes_for_user(user=person).filter(pk=wish.pk).exists():
        path = reverse("wishes:private", args=[wish.pk])
    else:
        from wishes.models import WishBoardPage

        board = WishBoardPage.objects.live().filter(locale__language_code="zh-hans").first()
        path = f"{board.url}{wish.pk}/" if board is not None else "/"
    with translation.override(person.language or settings.LANGUAGE_CODE):
        if path.startswith("/") and (person.language or "").startswith("en"):
            path = "/en" + path if not path.startswith("/en/") else path
    return settings.SITE_URL + path


def overflow_notice_send(*, user: User, wish: Wish, amount: object, refunded: bool) -> None:
    with translation.override(user.language or settings.LANGUAGE_CODE):
        body = render_to_string(
            "wishes/email/overflow.txt",
            {"wish": wish, "amount": amount, "refunded": refunded, "person": user},
        )
        send_mail(_(SUBJECTS["overflow"]), body, None, [user.email])


def project_overflow_notice_send(
    *, user: User, campaign: object, amount: object, refunded: bool
) -> None:
    with translation.override(user.language or settings.LANGUAGE_CODE):
        body = render_to_string(
            "wishes/email/project_overflow.txt",
            {"campaign": campaign, "amount": amount, "refunded": refunded, "person": user},
        )
        send_mail(_(SUBJECTS["overflow"]), body, None, [user.email])

"""E-mails to donors about their pledges and gifts, in the recipient's language."""

from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import User
from donations.models import Donation, Pledge


def _send(*, to: User | None, subject: str, context: dict[str, object]) -> bool:
    if to is None or not to.email:
        return False
    with translation.override(to.language or settings.LANGUAGE_CODE):
        context = {**context, "url": settings.SITE_URL + reverse("donations:giving")}
        send_mail(
            subject=_(subject),
            message=render_to_string("donations/email/pledge_notice.txt", context),
            from_email=None,
            recipient_list=[to.email],
        )
    return True


def pledge_notice_send(*, pledge_id: int, event: str, reason: str = "") -> bool:
    """A goods pledge declined: thank the donor and say why."""
    pledge = Pledge.objects.select_related("created_by").get(pk=pledge_id)
    subjects = {"declined": "About the goods you offered"}
    return _send(
        to=pledge.created_by,
        subject=subjects[event],
        context={"event": event, "pledge": pledge, "reason": reason},
    )


def refund_notice_send(*, donation_id: int, amount: Decimal, reason: str) -> bool:
    """A refund went out: tell whoever gave (and whether a new receipt follows)."""
    donation = Donation.objects.select_related("pledge__created_by", "donor__user").get(
        pk=donation_id
    )
    to = donation.pledge.created_by if donation.pledge_id else donation.donor.user  # type: ignore[union-attr]
    return _send(
        to=to,
        subject="Your gift has been refunded",
        context={
            "event": "refunded",
            "amount": amount,
            "reason": reason,
            "kept": donation.kept_amount > 0,
        },
    )

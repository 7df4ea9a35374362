"""Telling the fund administrators about money that needs a person: a payment made twice,
an event Stripe sent that still fails after every retry."""

from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.selectors import fund_administrators


def staff_alert_send(*, subject: str, body: str, **params: object) -> int:
    """E-mail every active fund administrator, each in their language.

    ``subject`` and ``body`` are untranslated English (marked with gettext_noop by the
    caller) formatted with ``params`` after translation. Returns how many mails went out.
    """
    sent = 0
    for person in fund_administrators():
        with translation.override(person.language):
            send_mail(
                subject=_(subject) % params,
                message=_(body) % params,
                from_email=None,
                recipient_list=[person.email],
            )
        sent += 1
    return sent

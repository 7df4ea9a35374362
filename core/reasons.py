"""The words the system itself writes into a state change's history (core.Transition.reason).

They are stored in English, as written, and translated when shown (`reason_label`); a reason a
person typed is shown as typed. Listed here so the translators see every one.
"""

from django.utils.translation import gettext, gettext_noop

SYSTEM_REASONS = (
    gettext_noop("cancelled by donor"),
    gettext_noop("cancelled by the donor"),
    gettext_noop("claim lapsed"),
    gettext_noop("deadline passed"),
    gettext_noop("deposit returned"),
    gettext_noop("edited"),
    gettext_noop("gift refunded"),
    gettext_noop("hold expired"),
    gettext_noop("inspected"),
    gettext_noop("lapsed without payment"),
    gettext_noop("not paid"),
    gettext_noop("offer expired"),
    gettext_noop("offered"),
    gettext_noop("overflow"),
    gettext_noop("paid"),
    gettext_noop("subscription ended at Stripe"),
    gettext_noop("subscription started"),
    gettext_noop("target reached"),
    gettext_noop("withdrawn by the donor"),
)


def reason_label(reason: str) -> str:
    return gettext(reason) if reason in SYSTEM_REASONS else reason

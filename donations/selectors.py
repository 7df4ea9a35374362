"""Who may see which pledges, donations and receipts; figures for 'My giving'."""

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import Organisation, User
from accounts.selectors import organisation_is_admin, organisations_for_user
from charity.purposes import non_gift_keys
from donations.models import Donation, Donor, Pledge, Receipt


def donors_for_user(*, user: User) -> QuerySet[Donor]:
    """The person's own donor and the donors of every company they belong to."""
    if not user.is_authenticated:
        return Donor.objects.none()
    return Donor.objects.filter(
        Q(user=user) | Q(organisation__in=organisations_for_user(user=user))
    ).select_related("organisation", "user")


def pledge_get_for_user(*, user: User, pledge_id: int) -> Pledge:
    pledge = Pledge.objects.filter(pk=pledge_id, donor__in=donors_for_user(user=user)).first()
    if pledge is None:
        raise Http404
    return pledge


def receipt_get_for_user(*, user: User, number: str) -> Receipt:
    receipt = (
        Receipt.objects.filter(number=number, donor__in=donors_for_user(user=user))
        .select_related("donation")
        .first()
    )
    if receipt is None:
        raise Http404
    return receipt


def can_pledge(*, user: User, organisation: Organisation | None = None) -> bool:
    """Members-only (Charity Law): only approved companies and approved people may give."""
    if not user.is_authenticated:
        return False
    if organisation is not None:
        if not organisations_for_user(user=user).filter(pk=organisation.pk).exists():
            return False
        return not settings.WISHPOOL_MEMBERS_ONLY or organisation.approved_at is not None
    if not settings.WISHPOOL_MEMBERS_ONLY:
        return True
    return Donor.objects.filter(user=user, approved_at__isnull=False).exists()


def giving_identities(*, user: User) -> tuple[list[tuple[str, str]], dict[str, Organisation]]:
    """Whom a person may give or claim as: themself, and each of their companies, as far as
    the members-only rule allows. Returns form choices and the companies by choice value."""
    from django.utils.translation import gettext as _

    if not user.is_authenticated:
        return [], {}
    orgs = {
        f"org:{org.pk}": org
        for org in organisations_for_user(user=user)
        if can_pledge(user=user, organisation=org)
    }
    choices = (
        [("me", _("Myself (%(name)s)") % {"name": user.get_full_name()})]
        if can_pledge(user=user)
        else []
    )
    choices += [(value, org.display_name) for value, org in orgs.items()]
    return choices, orgs


def pledge_may_manage(*, user: User, pledge: Pledge) -> bool:
    """Who may cancel a pledge: the person for their own; for a company, its administrators."""
    donor = pledge.donor
    if donor.user_id is not None:
        return donor.user_id == user.pk
    return donor.organisation is not None and organisation_is_admin(
        user=user, organisation=donor.organisation
    )


def purpose_label(fund: Any) -> str:
    """How a fund is named to its donor: an earmarked fund by what it is for (a wish's
    title), others by their own name."""
    from charity.purposes import fund_purpose

    purpose = fund_purpose(fund)
    if purpose is None:
        return fund.display_name
    handler, purpose_id = purpose
    return handler.label(purpose_id=purpose_id) or fund.display_name


def giving_for_user(*, user: User) -> list[dict[str, Any]]:
    """Per donor (the person, each company): donations with receipts and yearly totals, and
    where their goods went (``donations.giving``)."""
    from donations.giving import goods_uses

    result = []
    for donor in donors_for_user(user=user):
        donations = list(
            Donation.objects.filter(donor=donor, is_gift=True)
            .select_related("fund", "pledge", "intake")
            .prefetch_related("receipts")
            .order_by("-received_at")
        )
        labels: dict[int, str] = {}
        for donation in donations:
            if donation.fund_id not in labels:
                labels[donation.fund_id] = purpose_label(donation.fund)
            donation.purpose_label = labels[donation.fund_id]  # type: ignore[attr-defined]
        totals: dict[int, Decimal] = defaultdict(Decimal)
        for donation in donations:
            if donation.status == Donation.Status.VOIDED:
                continue  # recorded in error: listed as void, never counted
            totals[timezone.localtime(donation.received_at).year] += (
                donation.amount - donation.refunded_amount
            )
        result.append(
            {
                "donor": donor,
                "donations": donations,
                "yearly_totals": sorted(totals.items(), reverse=True),
                "goods_uses": goods_uses(donor),
                "pledges": [
                    _labelled(pledge, labels)
                    for pledge in Pledge.objects.filter(donor=donor)
                    .exclude(purpose_key__in=non_gift_keys())
                    .select_related("fund")
                    .order_by("-created_at")[:50]
                ],
                "may_manage": donor.user_id == user.pk
                or (
                    donor.organisation is not None
                    and organisation_is_admin(user=user, organisation=donor.organisation)
                ),
            }
        )
    return result


def _labelled(pledge: Pledge, labels: dict[int, str]) -> Pledge:
    if pledge.fund_id not in labels:
        labels[pledge.fund_id] = purpose_label(pledge.fund)
    pledge.purpose_label = labels[pledge.fund_id]  # type: ignore[attr-defined]
    return pledge


def public_name(donation: Donation) -> str:
    """How a gift appears in public: the donor's name only where they allowed it."""
    from django.utils.translation import gettext as _

    if donation.show_name:
        return donation.donor.name
    return _("A caring company") if donation.donor.organisation_id else _("A caring person")


def donations_search(*, query: str = "") -> "QuerySet[Donation]":
    """Staff search over every gift: donor name or e-mail, receipt number, references, ids."""
    from django.db.models import Q

    rows = Donation.objects.select_related("donor__organisation", "donor__user", "fund").order_by(
        "-received_at", "-pk"
    )
    query = query.strip()
    if not query:
        return rows
    match = (
        Q(donor__organisation__display_name__icontains=query)
        | Q(donor__organisation__legal_name__icontains=query)
        | Q(donor__user__full_name__icontains=query)
        | Q(donor__user__email__icontains=query)
        | Q(receipts__number__iexact=query)
        | Q(offline_reference__icontains=query)
        | Q(stripe_payment_intent=query)
        | Q(stripe_charge=query)
        | Q(stripe_invoice=query)
    )
    number = query.lstrip("#")
    if number.isdigit() and len(number) < 12:
        match |= Q(pk=int(number))
    return rows.filter(match).distinct()

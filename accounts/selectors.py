"""Who may see what. Views, Wagtail screens and file downloads all ask here."""

from allauth.mfa.models import Authenticator
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from accounts import roles
from accounts.models import (
    Invitation,
    Membership,
    Organisation,
    Resident,
    ResidentPrivate,
    Station,
    User,
)


def user_has_role(user: User, role: str) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    cache = getattr(user, "_role_cache", None)
    if cache is None:
        cache = set(user.groups.values_list("name", flat=True))
        user._role_cache = cache  # type: ignore[attr-defined]
    return role in cache


def is_fund_administrator(user: User) -> bool:
    return user_has_role(user, roles.FUND_ADMINISTRATOR)


def fund_administrators() -> QuerySet[User]:
    """Everyone the fund office's mail goes to: active fund administrators."""
    return User.objects.filter(groups__name=roles.FUND_ADMINISTRATOR, is_active=True)


def is_community_worker(user: User) -> bool:
    return user_has_role(user, roles.COMMUNITY_WORKER) and user.station_id is not None


def is_pool_staff(user: User) -> bool:
    """Who works the pool's cases: a fund administrator or a station's community worker."""
    return is_fund_administrator(user) or is_community_worker(user)


def user_roles(user: User) -> list[str]:
    return [role for role in roles.ROLE_LABELS if user_has_role(user, role)]


def requires_mfa(user: User) -> bool:
    """Whether this person must have TOTP before doing anything else.

    Everyone whose role reads private resident records (real names, phones, addresses and
    hardship status, which is sensitive personal data) or moves the pool's money: community
    workers and fund administrators. A community worker needs it from the moment the role is
    given, before a station makes the records readable. The Django admin's own rule (anyone
    entering it) is a matter of address and stays in accounts.middleware.
    """
    return user_has_role(user, roles.COMMUNITY_WORKER) or user_has_role(
        user, roles.FUND_ADMINISTRATOR
    )


def staff_members() -> QuerySet[User]:
    """Everyone holding a staff role, with their roles, station and whether TOTP is set up
    (for the Staff screen)."""
    return (
        User.objects.filter(groups__name__in=list(roles.ROLE_LABELS))
        .distinct()
        .select_related("station")
        .prefetch_related("groups")
        .annotate(
            has_totp=Exists(
                Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP)
            )
        )
        .order_by("email")
    )


def user_by_email(*, email: str) -> User | None:
    """The account using this address, whatever its case, or None."""
    return User.objects.filter(email__iexact=email.strip()).first()


def residents_for_staff(*, user: User) -> QuerySet[Resident]:
    """Residents whose private records this user may read.

    A community worker reads their own station's; a fund administrator reads all.
    """
    qs = Resident.objects.select_related("station", "user")
    if is_fund_administrator(user):
        return qs
    if is_community_worker(user):
        return qs.filter(station=user.station)
    return qs.none()


def resident_private_get(*, user: User, resident_id: int) -> ResidentPrivate:
    """The private record, or 404 for anyone not entitled (existence is not revealed)."""
    resident = residents_for_staff(user=user).filter(pk=resident_id).first()
    if resident is None:
        own = getattr(user, "resident", None) if user.is_authenticated else None
        if own is None or own.pk != resident_id:
            raise Http404
        resident = own
    try:
        return ResidentPrivate.objects.prefetch_related("hardships").get(resident=resident)
    except ResidentPrivate.DoesNotExist as exc:
        raise Http404 from exc


def organisations_for_user(*, user: User) -> QuerySet[Organisation]:
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(memberships__user=user)


def organisation_get_for_member(*, user: User, organisation_id: int) -> Organisation:
    """A company's own data, for its members only; others get 404 (by URL guessing too)."""
    organisation = organisations_for_user(user=user).filter(pk=organisation_id).first()
    if organisation is None:
        raise Http404
    return organisation


def organisation_is_admin(*, user: User, organisation: Organisation) -> bool:
    """Whether this person administers the company (only administrators invite colleagues)."""
    if not user.is_authenticated:
        return False
    return organisation.memberships.filter(user=user, role=Membership.Role.ADMIN).exists()


def invitation_get(*, token: str) -> Invitation | None:
    """The invitation behind a link, with its company and inviter, or None if there is none."""
    return (
        Invitation.objects.select_related("organisation", "invited_by").filter(token=token).first()
    )


STATIONS_KEY = "accounts:stations:generation"


def stations_active() -> list[Station]:
    """The open stations, by name: every public list of stations (the board's filters) reads
    them, and they change only through station_create and station_update, which start a new
    generation after commit; so they are kept rather than read on every page."""
    from django.conf import settings

    from core.kept import kept

    return kept(
        generation_key=STATIONS_KEY,
        name="active",
        seconds=settings.WISHPOOL_STATIONS_SECONDS,
        compute=lambda: list(Station.objects.filter(is_active=True).order_by("name", "pk")),
    )

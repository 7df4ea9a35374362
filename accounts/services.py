"""Every write about people, organisations, stations and residents."""

from datetime import date
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import roles, selectors
from accounts.models import (
    Community,
    HardshipStatus,
    Invitation,
    Membership,
    Organisation,
    Resident,
    ResidentPrivate,
    Station,
    User,
    Warehouse,
)
from core.transitions import transition_record


def community_create(
    *, name: str, district: str, latitude: Decimal, longitude: Decimal, by: User
) -> Community:
    """A residential community (小区) visitors pick to see the nearest stations."""
    if not selectors.is_fund_administrator(by):
        raise PermissionDenied
    name = name.strip()
    if not name:
        raise ValidationError(_("Give the community's name."))
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ValidationError(_("Latitude is between -90 and 90, longitude between -180 and 180."))
    with transaction.atomic():
        if Community.objects.filter(name=name).exists():
            raise ValidationError(_("A community with this name already exists."))
        community = Community.objects.create(
            name=name, district=district.strip(), latitude=latitude, longitude=longitude
        )
        transition_record(obj=community, from_state="", to_state="listed", by=by)
        return community


def station_create(
    *,
    name: str,
    address: str,
    district: str,
    latitude: Decimal | float | None = None,
    longitude: Decimal | float | None = None,
    phone: str = "",
    opening_hours: str = "",
    by: User | None = None,
) -> Station:
    """A station and its branch warehouse, created together: every station can lend and
    receive goods from its first day."""
    if by is not None and not selectors.is_fund_administrator(by):
        raise PermissionDenied
    name = name.strip()
    with transaction.atomic():
        if (
            Station.objects.filter(name=name).exists()
            or Warehouse.objects.filter(name=name).exists()
        ):
            raise ValidationError(_("A station or warehouse with this name already exists."))
        station = Station.objects.create(
            name=name,
            address=address.strip(),
            district=district.strip(),
            latitude=latitude,
            longitude=longitude,
            phone=phone.strip(),
            opening_hours=opening_hours.strip(),
        )
        Warehouse.objects.create(name=name, station=station, address=station.address)
        transition_record(obj=station, from_state="", to_state="active", by=by)
        transaction.on_commit(_stations_changed)
        return station


def station_update(
    *,
    station: Station,
    by: User,
    name: str,
    address: str,
    district: str,
    latitude: Decimal | float | None = None,
    longitude: Decimal | float | None = None,
    phone: str = "",
    opening_hours: str = "",
    is_active: bool = True,
) -> Station:
    """Change a station's public details; its warehouse keeps the same name and address."""
    if not selectors.is_fund_administrator(by):
        raise PermissionDenied
    name = name.strip()
    with transaction.atomic():
        locked = Station.objects.select_for_update().get(pk=station.pk)
        if Station.objects.filter(name=name).exclude(pk=locked.pk).exists():
            raise ValidationError(_("A station or warehouse with this name already exists."))
        was_active = locked.is_active
        locked.name, locked.address, locked.district = name, address.strip(), district.strip()
        locked.latitude, locked.longitude, locked.phone = latitude, longitude, phone.strip()
        locked.opening_hours = opening_hours.strip()
        locked.is_active = is_active
        locked.save()
        Warehouse.objects.filter(station=locked).update(name=name, address=locked.address)
        transaction.on_commit(_stations_changed)
        if was_active != is_active:
            transition_record(
                obj=locked,
                from_state="active" if was_active else "inactive",
                to_state="active" if is_active else "inactive",
                by=by,
            )
        return locked


def organisation_create(
    *,
    owner: User,
    legal_name: str,
    display_name: str,
    contact_name: str,
    contact_phone: str,
    contact_email: str = "",
) -> Organisation:
    """A member company with its first member, who administers it."""
    with transaction.atomic():
        if Organisation.objects.filter(legal_name__iexact=legal_name.strip()).exists():
            raise ValidationError(_("An organisation with this legal name is already registered."))
        organisation = Organisation.objects.create(
            legal_name=legal_name.strip(),
            display_name=display_name.strip(),
            contact_name=contact_name.strip(),
            contact_phone=contact_phone.strip(),
            contact_email=contact_email or owner.email,
        )
        Membership.objects.create(organisation=organisation, user=owner, role=Membership.Role.ADMIN)
        return organisation


def organisation_invite(*, organisation: Organisation, invited_by: User, email: str) -> Invitation:
    """Invite a colleague by e-mail. Only the company's administrators may: whoever joins acts
    for the company (pledges in its name, sees its giving). A repeat re-sends the same link."""
    if not selectors.organisation_is_admin(user=invited_by, organisation=organisation):
        raise PermissionDenied
    email = email.strip().lower()
    if organisation.memberships.filter(user__email__iexact=email).exists():
        raise ValidationError(_("This person is already a member."))
    with transaction.atomic():
        invitation = Invitation.objects.filter(
            organisation=organisation, email=email, accepted_at__isnull=True
        ).first() or Invitation.objects.create(
            organisation=organisation, email=email, invited_by=invited_by
        )
        from accounts import tasks  # tasks import this module

        transaction.on_commit(lambda: tasks.send_invitation.delay(invitation.pk))
    return invitation


def invitation_email_send(*, invitation_id: int) -> None:
    """E-mail the invitation link, in the inviter's language (the invitee's is unknown yet)."""
    invitation = Invitation.objects.select_related("organisation", "invited_by").get(
        pk=invitation_id
    )
    if invitation.accepted_at is not None:
        return
    with translation.override(invitation.invited_by.language):
        url = settings.SITE_URL + reverse("accounts:invitation_accept", args=[invitation.token])
        context = {"invitation": invitation, "url": url}
        send_mail(
            subject=_("You are invited to join %(name)s on Wishpool")
            % {"name": invitation.organisation.display_name},
            message=render_to_string("accounts/email/invitation.txt", context),
            from_email=None,
            recipient_list=[invitation.email],
        )


def organisation_settings_set(
    *, organisation: Organisation, by: User, show_on_donor_wall: bool
) -> Organisation:
    """A company's administrator decides whether it is listed in public among the members."""
    if not selectors.organisation_is_admin(user=by, organisation=organisation):
        raise PermissionDenied
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
        if locked.show_on_donor_wall != show_on_donor_wall:
            locked.show_on_donor_wall = show_on_donor_wall
            locked.save(update_fields=["show_on_donor_wall"])
            transition_record(
                obj=locked,
                from_state="listed" if not show_on_donor_wall else "unlisted",
                to_state="listed" if show_on_donor_wall else "unlisted",
                by=by,
            )
        return locked


def organisation_approve(*, organisation: Organisation, by: User) -> Organisation:
    """A fund administrator approves a member company (needed when the fund is members-only)."""
    if not selectors.is_fund_administrator(by):
        raise PermissionDenied
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
        if locked.approved_at is None:
            locked.approved_at, locked.declined_at, locked.decline_reason = timezone.now(), None, ""
            locked.save(update_fields=["approved_at", "declined_at", "decline_reason"])
            transition_record(obj=locked, from_state="pending", to_state="approved", by=by)
        return locked


def organisation_decline(*, organisation: Organisation, by: User, reason: str) -> Organisation:
    """A fund administrator declines a company's membership, with the reason its people see
    on their company page. It leaves the waiting list; approving later still works. A repeat
    changes nothing."""
    if not selectors.is_fund_administrator(by):
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Say why: the company sees the reason."))
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
        if locked.approved_at is not None:
            raise ValidationError(_("This company is approved already."))
        if locked.declined_at is None:
            locked.declined_at, locked.decline_reason = timezone.now(), reason[:255]
            locked.save(update_fields=["declined_at", "decline_reason"])
            transition_record(
                obj=locked, from_state="pending", to_state="declined", by=by, reason=reason
            )
        return locked


def invitation_accept(*, token: str, user: User) -> Membership:
    """Join the organisation; only the invited address can, and only once (a repeat is quiet)."""
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().filter(token=token).first()
        if invitation is None:
            raise ValidationError(_("This invitation does not exist."))
        if invitation.email.lower() != user.email.lower():
            raise ValidationError(_("This invitation was sent to another e-mail address."))
        if invitation.accepted_at is not None:
            membership = Membership.objects.filter(
                organisation=invitation.organisation, user=user
            ).first()
            if membership is None or invitation.accepted_by_id != user.pk:
                raise ValidationError(_("This invitation has already been used."))
            return membership  # a repeat by the same person is quiet
        membership, _created = Membership.objects.get_or_create(
            organisation=invitation.organisation, user=user
        )
        if invitation.accepted_at is None:
            invitation.accepted_at = timezone.now()
            invitation.accepted_by = user
            invitation.save(update_fields=["accepted_at", "accepted_by"])
        if user.kind == User.Kind.DONOR:
            user.kind = User.Kind.COMPANY
            user.save(update_fields=["kind"])
        return membership


def user_profile_set(*, user: User, full_name: str, kind: str, language: str) -> User:
    if kind not in {User.Kind.DONOR, User.Kind.COMPANY, User.Kind.RESIDENT}:
        raise ValidationError(_("Choose an account type."))
    user.full_name = full_name.strip()
    user.kind = kind
    user.language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    user.save(update_fields=["full_name", "kind", "language"])
    return user


def staff_role_grant(
    *, user: User, role: str, station: Station | None = None, by: User | None = None
) -> User:
    """Give a staff role: by a fund administrator on the Staff screen, or by the system (``by``
    None, e.g. the demo seed). A community worker belongs to exactly one station and only a
    worker has one. The account must have confirmed its e-mail address, so a role never goes
    to an address someone merely typed in at sign-up. A repeat is quiet; each grant is written
    to the person's history. A role that needs TOTP applies at the person's next request
    (accounts.middleware)."""
    if by is not None and not selectors.is_fund_administrator(by):
        raise PermissionDenied
    if role not in roles.ROLE_LABELS:
        raise ValidationError(_("Unknown role."))
    if role == roles.COMMUNITY_WORKER and station is None:
        raise ValidationError(_("A community worker must belong to a station."))
    if role != roles.COMMUNITY_WORKER and station is not None:
        raise ValidationError(_("Only community workers belong to a station."))
    with transaction.atomic():
        group = Group.objects.select_for_update().get(name=role)
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not EmailAddress.objects.filter(user=locked, verified=True).exists():
            raise ValidationError(
                _("This account has not confirmed its e-mail address yet, so it cannot sign in.")
            )
        if locked.kind == User.Kind.RESIDENT or Resident.objects.filter(user=locked).exists():
            # a resident's own account would then read other residents' private records
            raise ValidationError(
                _(
                    "This is a resident's account: staff roles go to staff accounts. Ask the "
                    "person to sign up with their work e-mail address."
                )
            )
        has_role = locked.groups.filter(pk=group.pk).exists()
        if station is not None and has_role and locked.station_id not in (None, station.pk):
            raise ValidationError(
                _(
                    "This person is already a community worker at %(station)s: "
                    "remove that role first."
                )
                % {"station": locked.station}
            )
        if has_role and (station is None or locked.station_id == station.pk):
            _user_roles_refresh(user, locked)
            return user  # a repeat is quiet
        locked.groups.add(group)
        locked.kind = User.Kind.STAFF
        locked.is_staff = True  # may open the Wagtail admin (its own permissions still apply)
        if station is not None:
            locked.station = station
        locked.save(update_fields=["kind", "is_staff", "station"])
        transition_record(
            obj=locked,
            from_state="",
            to_state=f"role:{role}",
            by=by,
            reason=station.name if station is not None else "",
        )
        _user_roles_refresh(user, locked)
        return user


def staff_role_revoke(*, user: User, role: str, by: User) -> User:
    """Take a staff role away (fund administrators, on the Staff screen). Never the last fund
    administrator, whoever asks, themself included: someone must be able to give roles, and
    disbursements need a second one. A worker leaves their station with the role; someone left
    with no role leaves the Wagtail admin and is a donor, company member or resident again. A
    repeat is quiet; each removal is written to the person's history.

    The role's group row is locked first, so two administrators removing each other at the
    same moment cannot leave the fund with none.
    """
    if not selectors.is_fund_administrator(by):
        raise PermissionDenied
    if role not in roles.ROLE_LABELS:
        raise ValidationError(_("Unknown role."))
    with transaction.atomic():
        group = Group.objects.select_for_update().get(name=role)
        locked = (
            User.objects.select_for_update(of=("self",)).select_related("station").get(pk=user.pk)
        )
        if not locked.groups.filter(pk=group.pk).exists():
            _user_roles_refresh(user, locked)
            return user  # a repeat is quiet
        if (
            role == roles.FUND_ADMINISTRATOR
            and not group.user_set.filter(is_active=True).exclude(pk=locked.pk).exists()
        ):
            raise ValidationError(
                _(
                    "The last fund administrator cannot be removed: "
                    "give the role to someone else first."
                )
            )
        station = locked.station
        locked.groups.remove(group)
        if role == roles.COMMUNITY_WORKER:
            locked.station = None
        if not locked.groups.filter(name__in=list(roles.ROLE_LABELS)).exists():
            locked.is_staff = locked.is_superuser
            locked.kind = _kind_without_staff_role(locked)
        locked.save(update_fields=["kind", "is_staff", "station"])
        transition_record(
            obj=locked,
            from_state=f"role:{role}",
            to_state="",
            by=by,
            reason=station.name if role == roles.COMMUNITY_WORKER and station else "",
        )
        _user_roles_refresh(user, locked)
        return user


def _kind_without_staff_role(user: User) -> str:
    if Resident.objects.filter(user=user).exists():
        return User.Kind.RESIDENT
    if user.memberships.exists():
        return User.Kind.COMPANY
    return User.Kind.DONOR


def _user_roles_refresh(user: User, saved: User) -> None:
    """The caller's object follows the saved row (its cached roles are dropped)."""
    user.kind, user.is_staff, user.station = saved.kind, saved.is_staff, saved.station
    user.__dict__.pop("_role_cache", None)


def resident_create(
    *,
    worker: User,
    pseudonym: str,
    coarse_area: str,
    real_name: str,
    phone: str = "",
    address: str = "",
    birth_year: int | None = None,
) -> Resident:
    """A worker records a resident of their own station (who may have no account)."""
    if not selectors.is_community_worker(worker):
        raise PermissionDenied
    assert worker.station is not None
    with transaction.atomic():
        resident = Resident.objects.create(
            station=worker.station,
            pseudonym=pseudonym.strip(),
            coarse_area=coarse_area.strip(),
            birth_year=birth_year,
            created_by=worker,
        )
        ResidentPrivate.objects.create(
            resident=resident, real_name=real_name.strip(), phone=phone, address=address
        )
        return resident


def resident_link_user(*, worker: User, resident: Resident, email: str) -> Resident:
    """Link a self-registered resident account after the worker has checked who they are."""
    if not selectors.residents_for_staff(user=worker).filter(pk=resident.pk).exists():
        raise PermissionDenied
    with transaction.atomic():
        resident = Resident.objects.select_for_update().get(pk=resident.pk)
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise ValidationError(_("No account uses this e-mail address."))
        if resident.user_id == user.pk:
            return resident
        if resident.user_id is not None:
            raise ValidationError(_("This resident is already linked to another account."))
        if Resident.objects.filter(user=user).exists():
            raise ValidationError(_("This account is already linked to another resident."))
        if user.kind != User.Kind.RESIDENT:
            raise ValidationError(_("This account was not registered as a resident."))
        resident.user = user
        resident.save(update_fields=["user"])
        ResidentPrivate.objects.filter(resident=resident).update(
            identity_checked_by=worker, identity_checked_at=timezone.now()
        )
        return resident


def hardship_record(
    *,
    staff: User,
    resident: Resident,
    category: str,
    proof_status: str,
    expires_on: date | None,
) -> HardshipStatus:
    """Record or update one hardship category with its proof; staff of the station only."""
    if not selectors.residents_for_staff(user=staff).filter(pk=resident.pk).exists():
        raise PermissionDenied
    if category not in HardshipStatus.Category.values:
        raise ValidationError(_("Unknown hardship category."))
    if proof_status not in HardshipStatus.Proof.values:
        raise ValidationError(_("Unknown proof status."))
    with transaction.atomic():
        private = ResidentPrivate.objects.select_for_update().get(resident=resident)
        status, _created = HardshipStatus.objects.update_or_create(
            private=private,
            category=category,
            defaults={
                "proof_status": proof_status,
                "expires_on": expires_on,
                "verified_by": staff if proof_status == HardshipStatus.Proof.VERIFIED else None,
                "verified_at": timezone.now()
                if proof_status == HardshipStatus.Proof.VERIFIED
                else None,
            },
        )
        return status


def _stations_changed() -> None:
    """Lists of stations kept by accounts.selectors.stations_active are stale from now on."""
    from core.kept import generation_next

    generation_next(selectors.STATIONS_KEY)

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import selectors, services
from accounts.forms import (
    HardshipForm,
    InviteForm,
    OrganisationSettingsForm,
    ResidentForm,
    ResidentLinkForm,
    apply_service_errors,
)
from accounts.http import AuthedHttpRequest
from accounts.models import Resident, Station


def admin_login_redirect(request: HttpRequest) -> HttpResponse:
    """The Wagtail and Django admin logins: never take a password here, send people to allauth."""
    next_url = request.GET.get("next") or "/cms/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/cms/"
    if request.user.is_authenticated:
        if not request.user.is_staff:
            raise PermissionDenied
        return HttpResponseRedirect(next_url)
    return HttpResponseRedirect(f"{reverse('account_login')}?next={next_url}")


@login_required
def dashboard(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "organisations": selectors.organisations_for_user(user=user),
        "roles": selectors.user_roles(user),
        # only workers post wishes for residents; fund administrators review them
        "is_worker": selectors.is_community_worker(user),
        "is_fund_admin": selectors.is_fund_administrator(user),
        "resident": getattr(user, "resident", None),
        # a resident not yet linked is sent to a station: say where the stations are
        "stations": Station.objects.filter(is_active=True).order_by("name")
        if user.kind == user.Kind.RESIDENT
        else [],
    }
    return render(request, "accounts/dashboard.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_detail(request: AuthedHttpRequest, organisation_id: int) -> HttpResponse:
    """A company's page for its members; its administrators also invite colleagues here."""
    organisation = selectors.organisation_get_for_member(
        user=request.user, organisation_id=organisation_id
    )
    can_invite = selectors.organisation_is_admin(user=request.user, organisation=organisation)
    settings_form = OrganisationSettingsForm(
        request.POST if "settings" in request.POST else None,
        initial={"show_on_donor_wall": organisation.show_on_donor_wall},
    )
    if request.method == "POST" and "settings" in request.POST:
        if not can_invite:
            raise PermissionDenied
        if settings_form.is_valid():
            services.organisation_settings_set(
                organisation=organisation,
                by=request.user,
                show_on_donor_wall=settings_form.cleaned_data["show_on_donor_wall"],
            )
            messages.success(request, _("Saved."))
        return redirect("accounts:organisation", organisation_id=organisation.pk)
    form = InviteForm(request.POST or None)
    if request.method == "POST":
        if not can_invite:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.organisation_invite(
                    organisation=organisation,
                    invited_by=request.user,
                    email=form.cleaned_data["email"],
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Invitation sent to %(email)s.") % form.cleaned_data)
                return redirect("accounts:organisation", organisation_id=organisation.pk)
    context = {
        "organisation": organisation,
        "memberships": organisation.memberships.select_related("user").order_by("joined_at"),
        "invitations": organisation.invitations.filter(accepted_at__isnull=True),
        "can_invite": can_invite,
        "form": form,
        "settings_form": settings_form,
    }
    return render(request, "accounts/organisation_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def invitation_accept(request: AuthedHttpRequest, token: str) -> HttpResponse:
    """The page an invitation links to: it names the company before anyone joins it."""
    invitation = selectors.invitation_get(token=token)
    if invitation is None:
        return render(
            request,
            "accounts/invitation.html",
            {"errors": [_("This invitation does not exist.")]},
            status=404,
        )
    if request.method == "POST":
        try:
            membership = services.invitation_accept(token=token, user=request.user)
        except ValidationError as exc:
            return render(
                request,
                "accounts/invitation.html",
                {"invitation": invitation, "errors": exc.messages},
                status=400,
            )
        messages.success(
            request, _("You have joined %(name)s.") % {"name": membership.organisation}
        )
        return redirect("accounts:organisation", organisation_id=membership.organisation_id)
    return render(request, "accounts/invitation.html", {"invitation": invitation})


def _staff_only(request: AuthedHttpRequest) -> None:
    if not (
        selectors.is_community_worker(request.user) or selectors.is_fund_administrator(request.user)
    ):
        raise PermissionDenied


@login_required
def resident_list(request: AuthedHttpRequest) -> HttpResponse:
    _staff_only(request)
    residents = selectors.residents_for_staff(user=request.user)
    return render(
        request,
        "accounts/resident_list.html",
        {"residents": residents, "can_create": selectors.is_community_worker(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def resident_create(request: AuthedHttpRequest) -> HttpResponse:
    if not selectors.is_community_worker(request.user):
        raise PermissionDenied
    form = ResidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        resident = services.resident_create(worker=request.user, **form.cleaned_data)
        messages.success(request, _("Resident recorded."))
        return redirect("accounts:resident", resident_id=resident.pk)
    return render(request, "accounts/resident_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def resident_detail(request: AuthedHttpRequest, resident_id: int) -> HttpResponse:
    private = selectors.resident_private_get(user=request.user, resident_id=resident_id)
    resident: Resident = private.resident
    is_staff = selectors.residents_for_staff(user=request.user).filter(pk=resident.pk).exists()
    link_form = ResidentLinkForm(prefix="link")
    hardship_form = HardshipForm(prefix="hardship")
    if request.method == "POST":
        if not is_staff:
            raise PermissionDenied
        if "link-email" in request.POST:
            link_form = ResidentLinkForm(request.POST, prefix="link")
            if link_form.is_valid():
                try:
                    services.resident_link_user(
                        worker=request.user,
                        resident=resident,
                        email=link_form.cleaned_data["email"],
                    )
                except ValidationError as exc:
                    apply_service_errors(link_form, exc)
                else:
                    messages.success(request, _("Account linked."))
                    return redirect("accounts:resident", resident_id=resident.pk)
        else:
            hardship_form = HardshipForm(request.POST, prefix="hardship")
            if hardship_form.is_valid():
                services.hardship_record(
                    staff=request.user, resident=resident, **hardship_form.cleaned_data
                )
                messages.success(request, _("Hardship status saved."))
                return redirect("accounts:resident", resident_id=resident.pk)
    context = {
        "resident": resident,
        "private": private,
        "hardships": private.hardships.all(),
        "is_staff": is_staff,
        "link_form": link_form,
        "hardship_form": hardship_form,
    }
    return render(request, "accounts/resident_detail.html", context)

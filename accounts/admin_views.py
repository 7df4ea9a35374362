"""Staff screens in the Wagtail admin for stations, member companies and staff roles.

Every write calls accounts.services (a station comes with its branch warehouse; an approval
writes history); every screen refuses anyone who is not a fund administrator.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import roles, selectors, services
from accounts.forms import CommunityForm, StaffRoleForm, StationForm
from accounts.http import AuthedHttpRequest, fund_administrator_required
from accounts.models import Community, Organisation, Station, User


@require_http_methods(["GET", "POST"])
@fund_administrator_required
def stations(request: AuthedHttpRequest) -> HttpResponse:
    """The stations, and a form to add one (with its branch warehouse)."""
    form = StationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            station = services.station_create(**form.cleaned_data, by=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Station %(name)s added.") % {"name": station.name})
            return redirect("community:stations")
    return render(
        request,
        "accounts/admin/stations.html",
        {
            "page_title": _("Stations"),
            "form": form,
            "stations": Station.objects.select_related("warehouse").order_by("name"),
        },
    )


@require_http_methods(["GET", "POST"])
@fund_administrator_required
def communities(request: AuthedHttpRequest) -> HttpResponse:
    """Residential communities (小区) with their place on the map, and a form to add one."""
    form = CommunityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            community = services.community_create(**form.cleaned_data, by=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("%(name)s added.") % {"name": community.name})
            return redirect("community:communities")
    return render(
        request,
        "accounts/admin/communities.html",
        {
            "page_title": _("Residential communities"),
            "form": form,
            "communities": Community.objects.all(),
        },
    )


@require_http_methods(["GET", "POST"])
@fund_administrator_required
def station_edit(request: AuthedHttpRequest, station_id: int) -> HttpResponse:
    station = get_object_or_404(Station, pk=station_id)
    form = StationForm(request.POST or None, initial=StationForm.initial_for(station), edit=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.station_update(station=station, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Station %(name)s saved.") % {"name": station.name})
            return redirect("community:stations")
    return render(
        request,
        "accounts/admin/station_edit.html",
        {"page_title": station.name, "form": form, "station": station},
    )


@require_GET
@fund_administrator_required
def organisations(request: AuthedHttpRequest) -> HttpResponse:
    """Every member company with its status; approving happens on the approvals screen."""
    return render(
        request,
        "accounts/admin/organisations.html",
        {
            "page_title": _("Member companies"),
            "organisations": Organisation.objects.order_by("display_name"),
        },
    )


@require_http_methods(["GET", "POST"])
@fund_administrator_required
def staff(request: AuthedHttpRequest) -> HttpResponse:
    """Everyone with a staff role, and a form to give a role to an existing account."""
    form = StaffRoleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        assert form.user is not None
        role = form.cleaned_data["role"]
        try:
            services.staff_role_grant(
                user=form.user, role=role, station=form.cleaned_data["station"], by=request.user
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request,
                _("Role “%(role)s” given to %(email)s.")
                % {"email": form.user.email, "role": roles.ROLE_LABELS[role]},
            )
            return redirect("community:staff")
    return render(
        request,
        "accounts/admin/staff.html",
        {
            "page_title": _("Staff"),
            "form": form,
            "people": [
                {
                    "user": person,
                    "roles": [
                        (name, label)
                        for name, label in roles.ROLE_LABELS.items()
                        if name in {group.name for group in person.groups.all()}
                    ],
                }
                for person in selectors.staff_members()
            ],
        },
    )


@require_POST
@fund_administrator_required
def staff_revoke(request: AuthedHttpRequest, user_id: int) -> HttpResponse:
    """Take one role from one person; refusals come back as a message on the Staff screen."""
    person = get_object_or_404(User, pk=user_id)
    role = request.POST.get("role", "")
    try:
        services.staff_role_revoke(user=person, role=role, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Role “%(role)s” taken from %(email)s.")
            % {"email": person.email, "role": roles.ROLE_LABELS[role]},
        )
        if person.pk == request.user.pk and role == roles.FUND_ADMINISTRATOR:
            return redirect("wagtailadmin_home")  # this screen is no longer theirs
    return redirect("community:staff")

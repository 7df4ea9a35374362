"""Staff screens in the Wagtail admin for stations and member companies.

Every write calls accounts.services (a station comes with its branch warehouse; an approval
writes history); every screen refuses anyone who is not a fund administrator.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts import selectors, services
from accounts.forms import StationForm
from accounts.http import AuthedHttpRequest
from accounts.models import Organisation, Station

View = Callable[..., HttpResponse]


def fund_administrator_required(view: View) -> View:
    """Staff screens: fund administrators only (the services check again)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not selectors.is_fund_administrator(request.user):  # type: ignore[arg-type]
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


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

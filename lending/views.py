from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from accounts import selectors as account_selectors
from accounts.http import AuthedHttpRequest
from lending import selectors, services
from lending.forms import LoanRequestForm, residents_field_queryset
from lending.models import Loan


@login_required
@require_http_methods(["GET", "POST"])
def loan_request(request: AuthedHttpRequest) -> HttpResponse:
    """A resident asks for equipment, or a worker asks for a resident of the station."""
    user = request.user
    own = getattr(user, "resident", None)
    worker = account_selectors.is_community_worker(user)
    if own is None and not worker:
        raise PermissionDenied
    residents = residents_field_queryset(user.station) if worker and user.station else None
    initial: dict[str, object] = {"type": request.GET.get("type")}
    if own is not None:
        initial["station"] = own.station_id
    elif worker:
        initial["station"] = user.station_id
    form = LoanRequestForm(request.POST or None, residents=residents, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        resident = data.get("resident") or own
        assert resident is not None  # a worker's form has the field; a resident asks for herself
        try:
            result = services.loan_request(
                resident=resident,
                type=data["type"],
                station=data["station"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                by=user,
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            if isinstance(result, Loan):
                return render(request, "lending/loan_reserved.html", {"loan": result})
            return render(
                request,
                "lending/waitlisted.html",
                {"entry": result, "position": selectors.waitlist_position(entry=result)},
            )
    return render(request, "lending/loan_request.html", {"form": form})

"""Staff screens in the Wagtail admin: approvals for the members-only fund."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import selectors, services
from accounts.models import Organisation, User


@require_http_methods(["GET", "POST"])
def approvals(request: HttpRequest) -> HttpResponse:
    if not selectors.is_fund_administrator(request.user):  # type: ignore[arg-type]
        raise PermissionDenied
    if request.method == "POST":
        if "organisation" in request.POST:
            org = get_object_or_404(Organisation, pk=request.POST["organisation"])
            services.organisation_approve(organisation=org, by=request.user)  # type: ignore[arg-type]
            messages.success(request, _("%(name)s is approved.") % {"name": org.display_name})
        elif "user" in request.POST:
            person = get_object_or_404(User, pk=request.POST["user"])
            services.donor_registration_approve(user=person, by=request.user)  # type: ignore[arg-type]
            messages.success(request, _("%(name)s is approved.") % {"name": person.get_full_name()})
        return redirect("wishpool_approvals")
    context = {
        "organisations": Organisation.objects.filter(approved_at__isnull=True).order_by(
            "created_at"
        ),
        "people": User.objects.filter(kind=User.Kind.DONOR, is_active=True)
        .exclude(donor__approved_at__isnull=False)
        .order_by("date_joined")[:200],
    }
    return render(request, "accounts/admin/approvals.html", context)

"""Charity projects: the fund office's screen to group wishes, "claim all" for a member
company, the project's poster and its short stable address."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import AuthedHttpRequest
from accounts.models import Organisation
from accounts.selectors import is_fund_administrator
from donations.selectors import giving_identities
from wishes import posters
from wishes.models import Campaign, CampaignPage, Wish
from wishes.poster_views import _pdf
from wishes.services import campaigns

MAX_CHOICES = 300


class CampaignForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name of the project"), max_length=100)
    description = forms.CharField(
        label=gettext_lazy("What it is for"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    organisation = forms.ModelChoiceField(
        label=gettext_lazy("For one member company (optional)"),
        queryset=Organisation.objects.filter(approved_at__isnull=False).order_by("display_name"),
        required=False,
    )
    wishes = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Wishes in the project"),
        queryset=Wish.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        choices = (
            Wish.objects.filter(status=Wish.Status.OPEN, campaign__isnull=True)
            .select_related("station")
            .order_by("station__name", "pk")[:MAX_CHOICES]
        )
        field = self.fields["wishes"]
        field.queryset = Wish.objects.filter(pk__in=[w.pk for w in choices])  # type: ignore[attr-defined]
        field.label_from_instance = lambda w: f"{w.station.name} · {w.pseudonym} · {w.title}"  # type: ignore[attr-defined]


def _page_url(campaign: Campaign) -> str:
    page = CampaignPage.objects.live().filter(campaign=campaign).first()
    if page is None:
        raise Http404
    return str(page.url)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_list(request: AuthedHttpRequest) -> HttpResponse:
    if not is_fund_administrator(request.user):
        raise PermissionDenied
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = campaigns.campaign_create(
                name=data["name"],
                description=data["description"],
                organisation=data["organisation"],
                wishes=list(data["wishes"]),
                by=request.user,
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request,
                _(
                    "Project “%(name)s” made with %(n)s wishes. "
                    "An editor gives it a page on the site."
                )
                % {"name": campaign.name, "n": campaign.wishes.count()},
            )
            return redirect("wishes:campaigns")
    listed = list(Campaign.objects.select_related("organisation").prefetch_related("wishes")[:50])
    pages = {p.campaign_id: p for p in CampaignPage.objects.live().filter(campaign__in=listed)}
    for campaign in listed:
        campaign.page = pages.get(campaign.pk)  # type: ignore[attr-defined]
    return render(request, "wishes/campaigns.html", {"form": form, "campaigns": listed})


@login_required
@require_POST
def campaign_claim_all(request: AuthedHttpRequest, campaign_id: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    choices, organisations = giving_identities(user=request.user)
    give_as = request.POST.get("give_as", "")
    if give_as not in dict(choices):
        messages.error(request, _("Choose whom you claim for."))
        return HttpResponseRedirect(_page_url(campaign))
    made, refused = campaigns.campaign_claim_all(
        campaign=campaign,
        by=request.user,
        organisation=organisations.get(give_as),
        show_name=request.POST.get("show_name") == "on",
    )
    if made:
        messages.success(
            request,
            _("You claimed %(n)s wishes. We sent you where to bring each one.") % {"n": len(made)},
        )
    for row in refused:
        messages.error(request, f"{row['wish'].title} · {row['wish'].pseudonym}: {row['reason']}")
    return HttpResponseRedirect(_page_url(campaign))


@login_required
def campaign_poster(request: AuthedHttpRequest, campaign_id: int) -> HttpResponse:
    if not is_fund_administrator(request.user):
        raise PermissionDenied
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    return _pdf(posters.campaign_poster_pdf(campaign), f"project-{campaign.pk}")


def campaign_short(request: HttpRequest, campaign_id: int) -> HttpResponseRedirect:
    """/p/<id>/ on a project's poster: its page as addressed today."""
    return HttpResponseRedirect(_page_url(get_object_or_404(Campaign, pk=campaign_id)))

"""Charity projects: the fund office's screen to group wishes, "claim all" for a member
company, the project's poster and its short stable address."""

from decimal import Decimal, InvalidOperation

import stripe
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import AuthedHttpRequest
from accounts.models import Organisation
from accounts.selectors import is_fund_administrator
from donations import stripe_gateway
from donations.selectors import giving_identities
from donations.views import pay_urls
from wishes import posters
from wishes.forms import GiveForm
from wishes.models import Campaign, CampaignPage, Wish
from wishes.poster_views import _pdf
from wishes.services import campaigns, project_gifts
from wishes.services.chipins import AmountChanged

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
@require_http_methods(["GET", "POST"])
def campaign_give(request: AuthedHttpRequest, campaign_id: int) -> HttpResponse:
    """Chip in to the whole project: the amount that will really be taken first (cut to what
    the wishes still need), then one payment shared among them."""
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    back = _page_url(campaign)
    choices, orgs = giving_identities(user=request.user)
    if not choices:
        messages.error(request, _("Only approved members can give."))
        return HttpResponseRedirect(back)
    if not stripe_gateway.is_configured():
        messages.error(request, _("Online payment is not configured on this site."))
        return HttpResponseRedirect(back)
    needed = project_gifts.project_needed(campaign=campaign, by=request.user)
    context = {"campaign": campaign, "needed": needed, "back": back, "quote": None}
    form = GiveForm(request.POST or request.GET or None, choices=choices)
    context["form"] = form
    if not form.is_valid() or not form.cleaned_data.get("amount"):
        return render(request, "wishes/project_give.html", context)
    quote = project_gifts.project_gift_quote(amount=form.cleaned_data["amount"], needed=needed)
    context.update(quote=quote, adjusted=quote != form.cleaned_data["amount"])
    if request.method == "GET" or "confirm" not in request.POST:
        return render(request, "wishes/project_give.html", context)
    try:
        confirmed = Decimal(request.POST.get("confirm", ""))
    except InvalidOperation:
        confirmed = Decimal(0)
    if not confirmed.is_finite() or confirmed != quote:
        return render(request, "wishes/project_give.html", {**context, "changed": True})
    try:
        gift = project_gifts.project_gift_start(
            campaign=campaign,
            by=request.user,
            organisation=orgs.get(form.cleaned_data["give_as"]),
            amount=confirmed,
            show_name=form.cleaned_data["show_name"],
        )
        success, _cancel = pay_urls(request, gift.pledge)
        checkout = project_gifts.project_gift_checkout_open(
            gift=gift,
            success_url=success,
            cancel_url=request.build_absolute_uri(
                reverse("wishes:campaign_give", args=[campaign.pk])
            ),
        )
    except AmountChanged as exc:
        return render(
            request,
            "wishes/project_give.html",
            {**context, "quote": exc.new_amount, "adjusted": True, "changed": True},
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return HttpResponseRedirect(back)
    except stripe.StripeError:
        messages.error(
            request, _("The payment service did not answer. Please try again in a moment.")
        )
        return HttpResponseRedirect(back)
    return redirect(checkout.url)


@login_required
def campaign_poster(request: AuthedHttpRequest, campaign_id: int) -> HttpResponse:
    if not is_fund_administrator(request.user):
        raise PermissionDenied
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    return _pdf(posters.campaign_poster_pdf(campaign), f"project-{campaign.pk}")


def campaign_short(request: HttpRequest, campaign_id: int) -> HttpResponseRedirect:
    """/p/<id>/ on a project's poster: its page as addressed today."""
    return HttpResponseRedirect(_page_url(get_object_or_404(Campaign, pk=campaign_id)))

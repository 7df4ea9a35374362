from decimal import Decimal, InvalidOperation

import stripe
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import selectors as account_selectors
from accounts.http import AuthedHttpRequest
from charity.models import Disbursement
from charity.services import disbursement_approve, disbursement_reject
from core.files import private_response
from core.images import photo_store
from core.models import Transition
from core.reasons import reason_label
from donations import selectors as donation_selectors
from donations import stripe_gateway
from donations.views import pay_urls
from wishes import selectors
from wishes.forms import FulfilForm, GiveForm, ResubmitForm, VetForm, WishForm, WorkerWishForm
from wishes.models import Claim, StockFill, Wish
from wishes.privacy import public_text_warnings
from wishes.services import chipins, claims, lifecycle


def _errors(request: HttpRequest, exc: Exception) -> None:
    for message in getattr(exc, "messages", None) or [str(exc) or _("Not allowed.")]:
        messages.error(request, message)


def _private_wish(request: AuthedHttpRequest, wish_id: int) -> Wish:
    wish = selectors.wishes_for_user(user=request.user).filter(pk=wish_id).first()
    if wish is None:
        raise Http404
    return wish


@login_required
def my_wishes(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    status = request.GET.get("status", "")
    wishes = selectors.wishes_for_user(user=user).order_by("-created_at")
    if status in Wish.Status.values:
        wishes = wishes.filter(status=status)
    else:
        status = ""
    return render(
        request,
        "wishes/my_wishes.html",
        {
            "wishes": wishes[:200],
            "status": status,
            "statuses": Wish.Status.choices,
            "claims": selectors.claims_for_user(user=user).order_by("-created_at")[:100],
            "can_post": getattr(user, "resident", None) is not None
            or account_selectors.is_community_worker(user),
            "is_staff": account_selectors.is_community_worker(user)
            or account_selectors.is_fund_administrator(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def wish_new(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    resident = getattr(user, "resident", None)
    worker = account_selectors.is_community_worker(user)
    if resident is None and not worker:
        raise PermissionDenied
    if worker:
        assert user.station is not None
        form: WishForm = WorkerWishForm(
            request.POST or None, request.FILES or None, station=user.station
        )
    else:
        form = WishForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            photo = photo_store(upload=data["photo"], folder="wishes") if data.get("photo") else ""
            wish = lifecycle.wish_submit(
                by=user,
                resident=data["resident"] if worker else resident,  # type: ignore[arg-type]
                title=data["title"],
                story=data["story"],
                category=data["category"],
                kind=data["kind"],
                needed_by=data["needed_by"],
                consent=data.get("consent", Wish.Consent.SELF),
                quantity=data.get("quantity"),
                target_amount=data.get("target_amount"),
                pseudonym=data.get("pseudonym") or "",
                coarse_area=data.get("coarse_area") or "",
                photo=photo,
                photo_public=data.get("photo_public", False),
                submission_token=data.get("submission_token"),
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request, _("Thank you. Staff of the station will review the wish soon.")
            )
            return redirect("wishes:private", wish_id=wish.pk)
    return render(request, "wishes/wish_form.html", {"form": form, "worker": worker})


def _labelled(transitions):  # type: ignore[no-untyped-def]
    labels = dict(Wish.Status.choices)
    for item in transitions:
        item.from_label = labels.get(item.from_state, "")
        item.to_label = labels.get(item.to_state, item.to_state)
        item.reason_label = reason_label(item.reason)
    return transitions


@login_required
def wish_private(request: AuthedHttpRequest, wish_id: int) -> HttpResponse:
    return _private_page(request, _private_wish(request, wish_id))


def _private_page(
    request: AuthedHttpRequest,
    wish: Wish,
    *,
    vet_form: VetForm | None = None,
    resubmit_form: ResubmitForm | None = None,
    fulfil_form: FulfilForm | None = None,
) -> HttpResponse:
    """The wish's own page; after a refused change it comes back with what was typed and
    the errors, so nothing typed is lost."""
    user = request.user
    can_vet = selectors.can_vet(user=user, wish=wish)
    private = wish.resident.private if can_vet else None
    context = {
        "wish": wish,
        "private": private,
        "can_vet": can_vet,
        "can_approve": can_vet and wish.posted_by_id != user.pk,
        "can_edit": wish.status in (Wish.Status.SUBMITTED, Wish.Status.CHANGES_REQUESTED),
        "can_withdraw": wish.status
        in (Wish.Status.SUBMITTED, Wish.Status.CHANGES_REQUESTED, Wish.Status.OPEN)
        and wish.committed_amount == 0,
        "privacy_warnings": public_text_warnings(
            pseudonym=wish.pseudonym,
            coarse_area=wish.coarse_area,
            title=wish.title,
            story=wish.story,
            real_name=private.real_name,
            phone=private.phone,
            address=private.address,
        )
        if private
        else [],
        "is_fund_admin": account_selectors.is_fund_administrator(user),
        "history": _labelled(
            Transition.objects.filter(object_type="wishes.wish", object_id=str(wish.pk))
        ),
        "claims": selectors.claims_with_contacts(wish=wish) if can_vet else [],
        "vet_form": vet_form
        or VetForm(
            initial={
                "claim_days": wish.claim_days,
                "pseudonym": wish.pseudonym,
                "coarse_area": wish.coarse_area,
            }
        ),
        "resubmit_form": resubmit_form or ResubmitForm(initial=ResubmitForm.initial_for(wish)),
        "fulfil_form": fulfil_form or FulfilForm(),
        "raised": selectors.wish_raised(wish),
        "public_statuses": Wish.PUBLIC_STATUSES,
        "stock_fill": StockFill.objects.live()
        .filter(wish=wish)
        .select_related("lot__warehouse")
        .first(),
        "stock_lots": selectors.stock_for_wish(wish=wish)
        if can_vet and wish.status == Wish.Status.OPEN
        else [],
        "disbursements": Disbursement.objects.filter(to_fund_id=wish.fund_id)
        if wish.fund_id
        else [],
    }
    return render(request, "wishes/wish_private.html", context)


@login_required
@require_POST
def wish_resubmit(request: AuthedHttpRequest, wish_id: int) -> HttpResponse:
    wish = _private_wish(request, wish_id)
    form = ResubmitForm(request.POST)
    if form.is_valid():
        try:
            was = wish.status
            lifecycle.wish_resubmit(wish=wish, by=request.user, **form.cleaned_data)
        except PermissionDenied as exc:
            _errors(request, exc)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Sent for review again.")
                if was == Wish.Status.CHANGES_REQUESTED
                else _("Saved."),
            )
            return redirect("wishes:private", wish_id=wish.pk)
    if form.errors:
        return _private_page(request, wish, resubmit_form=form)
    return redirect("wishes:private", wish_id=wish.pk)


@login_required
def review_queue(request: AuthedHttpRequest) -> HttpResponse:
    if not (
        account_selectors.is_community_worker(request.user)
        or account_selectors.is_fund_administrator(request.user)
    ):
        raise PermissionDenied
    return render(
        request, "wishes/review_queue.html", {"wishes": selectors.review_queue(user=request.user)}
    )


@login_required
@require_POST
def wish_vet(request: AuthedHttpRequest, wish_id: int) -> HttpResponse:
    wish = _private_wish(request, wish_id)
    form = VetForm(request.POST)
    if not form.is_valid():
        return _private_page(request, wish, vet_form=form)
    data = form.cleaned_data
    try:
        if data["decision"] == "approve":
            lifecycle.wish_approve(
                wish=wish,
                by=request.user,
                claim_days=data["claim_days"],
                pseudonym=data.get("pseudonym") or "",
                coarse_area=data.get("coarse_area") or "",
            )
            messages.success(request, _("Approved: the wish is on the board."))
        elif data["decision"] == "changes":
            lifecycle.wish_request_changes(wish=wish, by=request.user, message=data["message"])
            messages.success(request, _("Changes requested."))
        else:
            lifecycle.wish_reject(wish=wish, by=request.user, reason=data["message"])
            messages.success(request, _("Rejected."))
    except PermissionDenied as exc:
        _errors(request, exc)
    except ValidationError as exc:
        form.add_error(None, exc)
        return _private_page(request, wish, vet_form=form)
    return redirect("wishes:private", wish_id=wish.pk)


@login_required
@require_POST
def wish_withdraw(request: AuthedHttpRequest, wish_id: int) -> HttpResponse:
    """The resident (or the worker for them) takes a wish back that nobody has paid for."""
    wish = _private_wish(request, wish_id)
    try:
        lifecycle.wish_withdraw(wish=wish, by=request.user, reason=request.POST.get("reason", ""))
        messages.success(request, _("The wish is withdrawn."))
    except (ValidationError, PermissionDenied) as exc:
        _errors(request, exc)
    return redirect("wishes:private", wish_id=wish.pk)


@login_required
@require_POST
def wish_deliver(request: AuthedHttpRequest, wish_id: int) -> HttpResponse:
    wish = get_object_or_404(Wish, pk=wish_id, status__in=Wish.PUBLIC_STATUSES)
    try:
        lifecycle.wish_mark_delivered(wish=wish, by=request.user)
        messages.success(request, _("Marked as delivered. Thank you!"))
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        _errors(request, exc)
    if selectors.wishes_for_user(user=request.user).filter(pk=wish.pk).exists():
        return redirect("wishes:private", wish_id=wish.pk)
    return redirect("wishes:my")


@login_required
@require_POST
def wish_fulfil(request: AuthedHttpRequest, wish_id: int) -> HttpResponse:
    wish = _private_wish(request, wish_id)
    if not selectors.can_vet(user=request.user, wish=wish):
        raise PermissionDenied
    form = FulfilForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            photo = (
                photo_store(upload=form.cleaned_data["photo"], folder="thanks")
                if form.cleaned_data["photo"]
                else ""
            )
            lifecycle.wish_fulfil(
                wish=wish,
                by=request.user,
                thank_you_note=form.cleaned_data["thank_you_note"],
                photo=photo,
                photo_public=form.cleaned_data["photo_public"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The wish is fulfilled."))
            return redirect("wishes:private", wish_id=wish.pk)
    return _private_page(request, wish, fulfil_form=form)


@login_required
@require_POST
def wish_claim(request: AuthedHttpRequest, wish_id: int) -> HttpResponse:
    wish = get_object_or_404(Wish, pk=wish_id, status__in=Wish.PUBLIC_STATUSES)
    choices, orgs = donation_selectors.giving_identities(user=request.user)
    form = GiveForm(request.POST, choices=choices)
    if not choices or not form.is_valid():
        messages.error(request, _("Only approved members can claim wishes."))
        return redirect(wish_public_url(wish))
    try:
        claims.claim_create(
            wish=wish,
            by=request.user,
            organisation=orgs.get(form.cleaned_data["give_as"]),  # type: ignore[arg-type]
            show_name=form.cleaned_data["show_name"],
        )
        messages.success(
            request,
            _("Thank you! You have claimed this wish. Please deliver it by the date shown."),
        )
    except (ValidationError, PermissionDenied) as exc:
        _errors(request, exc)
    return redirect(wish_public_url(wish))


@login_required
@require_http_methods(["GET", "POST"])
def wish_give(request: AuthedHttpRequest, wish_id: int) -> HttpResponse:
    """Chip in: first show the amount that will really be taken (cut to what is left), then pay."""
    wish = get_object_or_404(Wish, pk=wish_id, status=Wish.Status.OPEN, kind=Wish.Kind.MONEY)
    choices, orgs = donation_selectors.giving_identities(user=request.user)
    if not choices:
        messages.error(request, _("Only approved members can give."))
        return redirect(wish_public_url(wish))
    if not stripe_gateway.is_configured():
        messages.error(request, _("Online payment is not configured on this site."))
        return redirect(wish_public_url(wish))
    form = GiveForm(request.POST or request.GET or None, choices=choices)
    if not form.is_valid() or not form.cleaned_data.get("amount"):
        return render(request, "wishes/give.html", {"wish": wish, "form": form, "quote": None})
    quote = chipins.chipin_quote(wish=wish, amount=form.cleaned_data["amount"])
    if request.method == "GET" or "confirm" not in request.POST:
        return render(
            request,
            "wishes/give.html",
            {
                "wish": wish,
                "form": form,
                "quote": quote,
                "adjusted": quote != form.cleaned_data["amount"],
            },
        )
    try:
        confirmed = Decimal(request.POST.get("confirm", ""))
    except InvalidOperation:
        confirmed = Decimal(0)
    if not confirmed.is_finite() or confirmed != quote:
        # What would be charged is not what the donor saw: show the new amount, ask again.
        return render(
            request,
            "wishes/give.html",
            {"wish": wish, "form": form, "quote": quote, "adjusted": True, "changed": True},
        )
    try:
        chipin = chipins.chipin_start(
            wish=wish,
            by=request.user,
            organisation=orgs.get(form.cleaned_data["give_as"]),  # type: ignore[arg-type]
            amount=confirmed,
            show_name=form.cleaned_data["show_name"],
        )
        success, _cancel = pay_urls(request, chipin.pledge)
        cancel = request.build_absolute_uri(
            reverse("wishes:give_cancelled", args=[wish.pk, chipin.pledge_id])
        )
        checkout = chipins.chipin_checkout_open(
            chipin=chipin, success_url=success, cancel_url=cancel
        )
    except chipins.AmountChanged as exc:
        wish.refresh_from_db()
        return render(
            request,
            "wishes/give.html",
            {
                "wish": wish,
                "form": form,
                "quote": exc.new_amount,
                "adjusted": True,
                "changed": True,
            },
        )
    except (ValidationError, PermissionDenied) as exc:
        _errors(request, exc)
        return redirect(wish_public_url(wish))
    except stripe.StripeError:
        messages.error(
            request, _("The payment service did not answer. Please try again in a moment.")
        )
        return redirect(wish_public_url(wish))
    return redirect(checkout.url)


@login_required
def wish_give_cancelled(request: AuthedHttpRequest, wish_id: int, pledge_id: int) -> HttpResponse:
    """Stripe sends a donor who pressed Cancel here: the held amount is freed at once."""
    wish = get_object_or_404(Wish, pk=wish_id)
    try:
        chipins.chipin_cancel(pledge_id=pledge_id, by=request.user)
    except stripe.StripeError:
        messages.error(
            request, _("The payment service did not answer. Please try again in a moment.")
        )
    else:
        messages.info(
            request, _("The payment was cancelled and nothing was charged. You may chip in again.")
        )
    return redirect(wish_public_url(wish))


@login_required
@require_POST
def claim_withdraw(request: AuthedHttpRequest, claim_id: int) -> HttpResponse:
    claim = (
        selectors.claims_for_user(user=request.user)
        .filter(pk=claim_id, status=Claim.Status.ACTIVE)
        .first()
    )
    if claim is None:
        raise Http404
    claims.claim_withdraw(claim=claim, by=request.user)
    messages.success(request, _("Your claim is withdrawn; the wish is open again."))
    return redirect("wishes:my")


@login_required
@require_POST
def fund_from_pool(request: AuthedHttpRequest, wish_id: int) -> HttpResponse:
    wish = _private_wish(request, wish_id)
    try:
        chipins.wish_fund_from_pool_request(wish=wish, amount=None, by=request.user)
        messages.success(request, _("Requested. Another fund administrator must approve it."))
    except (ValidationError, PermissionDenied) as exc:
        _errors(request, exc)
    return redirect("wishes:private", wish_id=wish.pk)


@login_required
@require_http_methods(["GET", "POST"])
def disbursements(request: AuthedHttpRequest) -> HttpResponse:
    if not account_selectors.is_fund_administrator(request.user):
        raise PermissionDenied
    if request.method == "POST":
        try:
            raw = request.POST.get("disbursement", "")
            if not raw.isdigit():
                raise Http404
            if request.POST.get("decision") == "reject":
                disbursement_reject(
                    disbursement_id=int(raw),
                    by=request.user,
                    reason=request.POST.get("reason", ""),
                )
                messages.success(request, _("Rejected; nothing was moved."))
            else:
                disbursement_approve(disbursement_id=int(raw), by=request.user)
                messages.success(request, _("Approved; the ledger has moved the money."))
        except Disbursement.DoesNotExist as exc:
            raise Http404 from exc
        except (ValidationError, PermissionDenied) as exc:
            _errors(request, exc)
        return redirect("wishes:disbursements")
    items = Disbursement.objects.select_related("from_fund", "to_fund", "requested_by").order_by(
        "-created_at"
    )[:100]
    return render(request, "wishes/disbursements.html", {"items": items})


def wish_photo(request: HttpRequest, wish_id: int, which: str) -> FileResponse:
    """Photos are private files: shown publicly only when the wish is public (and, for the
    thank-you photo, the resident agreed); otherwise only to those who see its private side."""
    wish = get_object_or_404(Wish, pk=wish_id)
    name = {"wish": wish.photo, "thanks": wish.thank_you_photo}.get(which) or ""
    if not name:
        raise Http404
    public = wish.is_public and (
        wish.photo_public if which == "wish" else wish.thank_you_photo_public
    )
    if not public and not (
        request.user.is_authenticated
        and selectors.wishes_for_user(user=request.user).filter(pk=wish.pk).exists()  # type: ignore[arg-type]
    ):
        raise Http404
    return private_response(name, content_type="image/jpeg")


def wish_public_url(wish: Wish) -> str:
    from wishes.models import WishBoardPage

    board = WishBoardPage.objects.live().first()
    if board is None:
        return "/"
    return f"{board.url}{wish.pk}/"

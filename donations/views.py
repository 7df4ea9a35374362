import logging

import stripe
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import AuthedHttpRequest
from core.files import private_exists, private_response
from donations import selectors, stripe_gateway
from donations.forms import PledgeForm
from donations.giving import goods_needs
from donations.models import Pledge, Receipt
from donations.pdf import statement_pdf_bytes
from donations.services import pledges, receipts, stripe_events

logger = logging.getLogger(__name__)


def pay_urls(request: HttpRequest, pledge: Pledge) -> tuple[str, str]:
    """Where Stripe Checkout sends the donor back: the pledge's own page, with the result."""
    url = request.build_absolute_uri(reverse("donations:pledge", args=[pledge.pk]))
    return f"{url}?result=success", f"{url}?result=cancelled"


def _start_checkout(request: HttpRequest, pledge: Pledge) -> HttpResponse:
    success, cancel = pay_urls(request, pledge)
    try:
        checkout = stripe_events.pledge_checkout_resume(
            pledge=pledge, success_url=success, cancel_url=cancel
        )
    except stripe_gateway.PaymentsNotConfigured:
        messages.error(request, _("Online payment is not configured on this site."))
        return redirect("donations:pledge", pledge_id=pledge.pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("donations:pledge", pledge_id=pledge.pk)
    except stripe.StripeError:
        logger.exception("Stripe refused a checkout for pledge %s", pledge.pk)
        messages.error(
            request, _("The payment service did not answer. Please try again in a moment.")
        )
        return redirect("donations:pledge", pledge_id=pledge.pk)
    if checkout is None:
        messages.success(
            request, _("Your payment has arrived. Thank you! Your receipt is on its way.")
        )
        return redirect("donations:pledge", pledge_id=pledge.pk)
    return redirect(checkout.url)


@require_http_methods(["GET", "POST"])
def pledge_start(request: HttpRequest) -> HttpResponse:
    context: dict[str, object] = {"payments_configured": stripe_gateway.is_configured()}
    if not request.user.is_authenticated:
        return render(request, "donations/pledge.html", {**context, "anonymous": True})
    user = request.user
    choices, organisations = selectors.giving_identities(user=user)
    if not choices:
        return render(request, "donations/pledge.html", {**context, "not_member": True})
    # Two steps, without JavaScript: /pledge/ asks money or goods; /pledge/?kind=money (or
    # goods) shows only that kind's fields. Without online payment only goods are possible,
    # so the choice is skipped. The POST takes every field at once, as before.
    kind = request.GET.get("kind")
    if not stripe_gateway.is_configured():
        kind = Pledge.Kind.GOODS
    form = PledgeForm(request.POST or None, choices=choices, organisations=organisations, kind=kind)
    if request.method == "POST" and "change" in request.POST:
        # "Change the gift" on the confirmation page: the same fields again, filled in.
        return render(request, "donations/pledge.html", {**context, "form": form})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["kind"] == Pledge.Kind.MONEY and not stripe_gateway.is_configured():
            form.add_error(
                None, _("Online payment is not configured on this site. Goods pledges still work.")
            )
        elif data["kind"] == Pledge.Kind.MONEY and request.POST.get("confirm") != str(
            data["amount"]
        ):
            # The amount once more, big, before anything is paid: what is shown is what is
            # charged; a changed form shows the page again.
            return render(
                request,
                "donations/pledge_confirm.html",
                {**context, "form": form, "data": data},
            )
        elif (
            data["kind"] == Pledge.Kind.GOODS
            and request.POST.get("confirm") != "goods"
            and (needs := goods_needs(data.get("goods_description") or ""))
        ):
            # Before a company commits goods: who is asking for such things right now.
            return render(
                request,
                "donations/pledge_confirm_goods.html",
                {**context, "form": form, "data": data, "needs": needs},
            )
        else:
            try:
                pledge = pledges.pledge_create(
                    user=user,
                    organisation=data["organisation"],
                    kind=data["kind"],
                    fund=data["fund"],
                    show_name=data["show_name"],
                    amount=data.get("amount"),
                    interval=data["interval"],
                    goods_description=data.get("goods_description") or "",
                    goods_quantity=data.get("goods_quantity"),
                    goods_unit_value=data.get("goods_unit_value"),
                )
            except (ValidationError, PermissionDenied) as exc:
                for message in getattr(exc, "messages", [str(exc)]):
                    form.add_error(None, message)
            else:
                if pledge.kind == Pledge.Kind.GOODS:
                    messages.success(
                        request, _("Thank you! We will contact you to receive the goods.")
                    )
                    return redirect("donations:pledge", pledge_id=pledge.pk)
                return _start_checkout(request, pledge)
    return render(request, "donations/pledge.html", {**context, "form": form})


@login_required
def pledge_detail(request: AuthedHttpRequest, pledge_id: int) -> HttpResponse:
    pledge = selectors.pledge_get_for_user(user=request.user, pledge_id=pledge_id)
    return render(
        request,
        "donations/pledge_detail.html",
        {
            "pledge": pledge,
            "result": request.GET.get("result"),
            "donations": pledge.donations.prefetch_related("receipts"),
            "payments_configured": stripe_gateway.is_configured(),
        },
    )


@login_required
@require_POST
def pledge_pay(request: AuthedHttpRequest, pledge_id: int) -> HttpResponse:
    pledge = selectors.pledge_get_for_user(user=request.user, pledge_id=pledge_id)
    if pledge.status != Pledge.Status.PENDING:
        messages.info(request, _("This pledge is not waiting for payment."))
        return redirect("donations:pledge", pledge_id=pledge.pk)
    return _start_checkout(request, pledge)


@login_required
@require_http_methods(["GET", "POST"])
def pledge_cancel(request: AuthedHttpRequest, pledge_id: int) -> HttpResponse:
    """GET asks "are you sure?" with what stops; only the POST from that page cancels."""
    pledge = selectors.pledge_get_for_user(user=request.user, pledge_id=pledge_id)
    if request.method == "GET":
        return render(
            request,
            "donations/pledge_cancel.html",
            {
                "pledge": pledge,
                "may_manage": selectors.pledge_may_manage(user=request.user, pledge=pledge),
                "cancellable": pledge.status
                in (Pledge.Status.ACTIVE, Pledge.Status.AWAITING_GOODS),
            },
        )
    try:
        pledges.pledge_cancel(pledge=pledge, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not cancel this pledge."))
    except stripe.StripeError:
        messages.error(
            request, _("The payment service did not answer. Please try again in a moment.")
        )
    else:
        messages.success(request, _("The pledge is cancelled; no further charges will be made."))
    return redirect("donations:giving")


@login_required
def giving(request: AuthedHttpRequest) -> HttpResponse:
    return render(
        request, "donations/giving.html", {"donors": selectors.giving_for_user(user=request.user)}
    )


@login_required
def receipt_download(request: AuthedHttpRequest, number: str) -> FileResponse:
    receipt = selectors.receipt_get_for_user(user=request.user, number=number)
    name = receipts.receipt_name(receipt)
    if not private_exists(name):
        name = receipts.receipt_pdf_render(receipt_id=receipt.pk)
    return private_response(
        name, content_type="application/pdf", filename=f"{receipt.number}.pdf", as_attachment=True
    )


@login_required
def statement_download(request: AuthedHttpRequest, donor_id: int, year: int) -> HttpResponse:
    donor = selectors.donors_for_user(user=request.user).filter(pk=donor_id).first()
    if donor is None or not (2000 <= year <= timezone.localdate().year):
        raise Http404
    rows = (
        Receipt.objects.filter(donor=donor, year=year)
        .select_related("donation__fund")
        .order_by("sequence")
    )
    pdf = statement_pdf_bytes(donor=donor, year=year, receipts=rows)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="statement-{year}.pdf"'
    return response


def receipt_verify(request: HttpRequest, code: str) -> HttpResponse:
    receipt = (
        Receipt.objects.filter(verification_code=code)
        .select_related("donation__fund", "donor")
        .first()
    )
    status = 200 if receipt else 404
    return render(
        request, "donations/receipt_verify.html", {"receipt": receipt, "code": code}, status=status
    )


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """Verify the signature on the raw body, store the event once, answer at once."""
    if not settings.STRIPE_WEBHOOK_SECRET:
        return JsonResponse({"error": "webhooks are not configured"}, status=400)
    signature = request.headers.get("Stripe-Signature", "")
    try:
        payload = stripe_gateway.construct_event(request.body, signature)
    except (ValueError, stripe.SignatureVerificationError):
        return JsonResponse({"error": "invalid payload or signature"}, status=400)
    if not isinstance(payload, dict) or "id" not in payload or "data" not in payload:
        return JsonResponse({"error": "not an event"}, status=400)
    event, created = stripe_events.event_store(payload=payload)  # parsed JSON: stored as is
    return JsonResponse({"received": event.stripe_id, "duplicate": not created})

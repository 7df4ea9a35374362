"""Staff screens that fill item wishes from the pool's stock: on a wish's own page, and many
wishes from one lot at once, with a delivery list per station to print."""

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import selectors as account_selectors
from accounts.http import AuthedHttpRequest
from charity.models import StockLot
from core.params import row_id
from wishes import selectors
from wishes.models import StockFill
from wishes.services import stock
from wishes.views import _errors, _private_wish


def _staff(request: AuthedHttpRequest) -> None:
    user = request.user
    if not account_selectors.is_pool_staff(user):
        raise PermissionDenied


@login_required
@require_POST
def wish_fill(request: AuthedHttpRequest, wish_id: int) -> HttpResponse:
    wish = _private_wish(request, wish_id)
    lot = StockLot.objects.filter(pk=row_id(request.POST.get("lot"))).first()
    try:
        if lot is None:
            raise ValidationError(_("Choose goods in stock."))
        fill = stock.wish_fill_from_stock(wish=wish, lot=lot, by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        _errors(request, exc)
    else:
        messages.success(
            request,
            _(
                "Filled from stock: %(n)s × %(goods)s. "
                "Bring it to the resident, then mark it delivered."
            )
            % {"n": fill.quantity, "goods": fill.lot.description},
        )
    return redirect("wishes:private", wish_id=wish.pk)


@login_required
@require_POST
def fill_undo(request: AuthedHttpRequest, wish_id: int) -> HttpResponse:
    wish = _private_wish(request, wish_id)
    fill = StockFill.objects.live().filter(wish=wish).first()
    try:
        if fill is None:
            raise ValidationError(_("This wish was not filled from stock."))
        stock.wish_stock_fill_undo(
            fill=fill, by=request.user, reason=request.POST.get("reason", "")
        )
    except (ValidationError, PermissionDenied) as exc:
        _errors(request, exc)
    else:
        messages.success(
            request, _("The allocation was undone: the goods are back in stock, the wish is open.")
        )
    return redirect("wishes:private", wish_id=wish.pk)


@login_required
@require_http_methods(["GET", "POST"])
def from_stock(request: AuthedHttpRequest) -> HttpResponse:
    """Choose a lot, tick the wishes it should fill, allocate."""
    _staff(request)
    lots = StockLot.objects.filter(quantity_on_hand__gt=0).select_related("warehouse")
    lot = lots.filter(pk=row_id(request.POST.get("lot") or request.GET.get("lot"))).first()
    if request.method == "POST":
        if lot is None:
            messages.error(request, _("Choose goods in stock."))
            return redirect("wishes:from_stock")
        chosen = list(
            selectors.wishes_for_user(user=request.user).filter(
                pk__in=[row_id(v) for v in request.POST.getlist("wish")]
            )
        )
        if not chosen:
            messages.error(request, _("Tick at least one wish."))
            return redirect(f"{request.path}?lot={lot.pk}")
        filled, refused = stock.wishes_fill_from_stock(wishes=chosen, lot=lot, by=request.user)
        if filled:
            messages.success(
                request, _("%(n)s wishes filled from this stock.") % {"n": len(filled)}
            )
        for row in refused:
            messages.error(
                request, f"{row['wish'].pseudonym} · {row['wish'].title}: {row['reason']}"
            )
        return redirect("wishes:delivery_list", lot_id=lot.pk)
    return render(
        request,
        "wishes/from_stock.html",
        {
            "lots": lots.order_by("created_at", "pk"),
            "lot": lot,
            "wishes": selectors.wishes_for_lot(lot=lot, user=request.user) if lot else [],
        },
    )


@login_required
def delivery_list(request: AuthedHttpRequest, lot_id: int) -> HttpResponse:
    """What to take where: the wishes this lot filled, by station, to print."""
    _staff(request)
    lot = StockLot.objects.filter(pk=lot_id).select_related("warehouse").first()
    if lot is None:
        raise Http404
    visible = selectors.wishes_for_user(user=request.user)
    fills = (
        StockFill.objects.live()
        .filter(lot=lot, wish__in=visible)
        .select_related("wish__station")
        .order_by("wish__station__name", "wish__pk")
    )
    stations = [
        {"station": station, "fills": list(rows)}
        for station, rows in groupby(fills, key=lambda f: f.wish.station)
    ]
    return render(request, "wishes/delivery_list.html", {"lot": lot, "stations": stations})

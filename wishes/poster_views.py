"""Posters for staff to print, and the short stable addresses their QR codes carry."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404

from accounts import selectors as account_selectors
from accounts.http import AuthedHttpRequest
from accounts.models import Station
from wishes import posters, selectors
from wishes.models import Wish, WishBoardPage
from wishes.views import _private_wish


def _board() -> WishBoardPage:
    from wagtail.models import Locale

    board = (
        WishBoardPage.objects.live().filter(locale=Locale.get_active()).first()
        or WishBoardPage.objects.live().first()
    )
    if board is None:
        raise Http404
    return board


def wish_short(request: HttpRequest, wish_id: int) -> HttpResponseRedirect:
    """/w/<id>/ on a poster: the wish's public page as it is addressed today."""
    if not Wish.objects.filter(pk=wish_id, status__in=Wish.PUBLIC_STATUSES).exists():
        raise Http404
    return HttpResponseRedirect(f"{_board().url}{wish_id}/")


def station_short(request: HttpRequest, station_id: int) -> HttpResponseRedirect:
    """/s/<station>/ on a station notice: the board showing that station's wishes."""
    station = get_object_or_404(Station, pk=station_id, is_active=True)
    return HttpResponseRedirect(f"{_board().url}?station={station.pk}")


def _pdf(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    return response


@login_required
def wish_poster(request: AuthedHttpRequest, wish_id: int) -> HttpResponse:
    wish = _private_wish(request, wish_id)
    if not selectors.can_vet(user=request.user, wish=wish) or wish.status not in (
        Wish.PUBLIC_STATUSES
    ):
        raise PermissionDenied
    return _pdf(posters.wish_poster_pdf(wish), f"wish-{wish.pk}")


@login_required
def station_poster(request: AuthedHttpRequest, station_id: int) -> HttpResponse:
    station = get_object_or_404(Station, pk=station_id)
    user = request.user
    if not (
        account_selectors.is_fund_administrator(user)
        or (account_selectors.is_community_worker(user) and user.station_id == station.pk)
    ):
        raise PermissionDenied
    return _pdf(posters.station_poster_pdf(station), f"station-{station.pk}")

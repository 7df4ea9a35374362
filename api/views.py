"""The open-data API (read-only JSON for district dashboards). Every view: throttled per
client, parameters checked (400 with the reason in the caller's language), figures cached for
WISHPOOL_API_CACHE_SECONDS, only public data."""

import math
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, JsonResponse
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from api import selectors
from api import serializers as s

PAGE_SIZE = 50
ERRORS = {400: s.ErrorOut, 429: s.ErrorOut}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every error as {"errors": {field: [messages]}} ("detail" when it is not a field's)."""
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, dict) and "detail" not in data:
        errors = {k: v if isinstance(v, list) else [v] for k, v in data.items()}
    elif isinstance(data, dict):
        errors = {"detail": [data["detail"]]}
    else:
        errors = {"detail": list(data)}
    response.data = {"errors": errors}
    return response


def _callers_language(request: HttpRequest) -> None:
    """The site's unprefixed paths are Chinese; the API speaks what the caller asks for
    (Accept-Language), Chinese by default."""
    translation.activate(translation.get_language_from_request(request, check_path=False))


def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any other address under /api/: a JSON 404, not the site's HTML page."""
    _callers_language(request)
    return JsonResponse(
        {"errors": {"detail": [_("There is nothing at this address.")]}}, status=404
    )


class OpenDataView(APIView):
    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []
    params_class: type[s.serializers.Serializer] = s.NoParams

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        _callers_language(request)
        super().initial(request, *args, **kwargs)

    def params(self, request: Request) -> dict[str, Any]:
        known = set(self.params_class().fields)
        unknown = sorted(set(request.query_params) - known - {"format"})
        if unknown:
            raise exceptions.ValidationError(
                {name: [_("This parameter is not known.")] for name in unknown}
            )
        blank = sorted(name for name, value in request.query_params.items() if value == "")
        if blank:  # "?until=" says nothing: refused rather than read as "not given"
            raise exceptions.ValidationError(
                {name: [_("This parameter has no value.")] for name in blank}
            )
        checked = self.params_class(data=request.query_params)
        checked.is_valid(raise_exception=True)
        return dict(checked.validated_data)

    def cached(self, params: dict[str, Any], compute: Callable[[], Any]) -> Any:
        seconds = settings.WISHPOOL_API_CACHE_SECONDS
        if not seconds:
            return compute()
        parts = [f"{k}={getattr(v, 'code', v)}" for k, v in sorted(params.items())]
        key = f"api:{self.__class__.__name__}:{get_language()}:{'&'.join(parts)}"
        return cache.get_or_set(key, compute, seconds)


class FundsView(OpenDataView):
    params_class = s.NoParams

    @extend_schema(responses={200: s.FundsOut, **ERRORS}, summary="The pool and its funds")
    def get(self, request: Request) -> Response:
        params = self.params(request)
        data = self.cached(params, lambda: s.FundsOut(selectors.funds()).data)
        return Response(data)


class FlowsView(OpenDataView):
    params_class = s.FlowParams

    @extend_schema(
        parameters=[s.FlowParams],
        responses={200: s.FlowsOut, **ERRORS},
        summary="Money in and out by month",
    )
    def get(self, request: Request) -> Response:
        params = self.params(request)
        data = self.cached(
            params,
            lambda: (
                s.FlowsOut(selectors.flows(months=params["months"], fund=params.get("fund"))).data
            ),
        )
        return Response(data)


class WishCountsView(OpenDataView):
    params_class = s.WishParams

    @extend_schema(
        parameters=[s.WishParams],
        responses={200: s.CountsOut, **ERRORS},
        summary="Public wishes counted",
    )
    def get(self, request: Request) -> Response:
        params = self.params(request)

        def compute() -> Any:
            rows = selectors.wish_counts(
                by=params["by"], since=params.get("since"), until=params.get("until")
            )
            return s.CountsOut({"by": params["by"], "rows": rows}).data

        return Response(self.cached(params, compute))


class LoanCountsView(OpenDataView):
    params_class = s.LoanParams

    @extend_schema(
        parameters=[s.LoanParams], responses={200: s.CountsOut, **ERRORS}, summary="Loans counted"
    )
    def get(self, request: Request) -> Response:
        params = self.params(request)

        def compute() -> Any:
            rows = selectors.loan_counts(
                by=params["by"], since=params.get("since"), until=params.get("until")
            )
            return s.CountsOut({"by": params["by"], "rows": rows}).data

        return Response(self.cached(params, compute))


class DonationsView(OpenDataView):
    params_class = s.DonationParams

    @extend_schema(
        parameters=[s.DonationParams],
        responses={200: s.DonationsOut, **ERRORS},
        summary="Gifts, as the transparency page lists them",
    )
    def get(self, request: Request) -> Response:
        params = self.params(request)

        def compute() -> Any:
            qs = selectors.public_donations(
                fund=params.get("fund"), since=params.get("since"), until=params.get("until")
            )
            count = qs.count()
            first = (params["page"] - 1) * PAGE_SIZE
            rows = [selectors.donation_row(d) for d in qs[first : first + PAGE_SIZE]]
            return s.DonationsOut(
                {
                    "count": count,
                    "page": params["page"],
                    "pages": max(1, math.ceil(count / PAGE_SIZE)),
                    "results": rows,
                }
            ).data

        return Response(self.cached(params, compute))

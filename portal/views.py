from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from portal import selectors


def transparency(request: HttpRequest) -> HttpResponse:
    """资金公示: every figure computed from the ledger."""
    return render(request, "portal/transparency.html", selectors.transparency())

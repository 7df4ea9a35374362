"""Posters for the notice board (M2): one wish on A4, or a station's open wishes (up to
eight, each with a short code) with one QR to the station's wishes. Neighbours and shop
owners who never browse the site can still help. The printed links are short, stable
addresses (/w/<id>/, /s/<station>/) that redirect to the pages as they are now, so a poster
outlives any change of the site's design or language prefix."""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from accounts.models import Station
from core.pdf import pdf_from_template
from core.qr import qr_data_uri
from wishes.models import Campaign, Wish

STATION_WISHES = 8


def wish_link(wish: Wish) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return settings.SITE_URL.rstrip("/") + reverse("wishes:short", args=[wish.pk])


def station_link(station: Station) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return settings.SITE_URL.rstrip("/") + reverse("wishes:station_short", args=[station.pk])


def wish_code(wish: Wish) -> str:
    return f"W{wish.pk}"


def still_needed(wish: Wish) -> dict[str, Any]:
    if wish.kind == Wish.Kind.MONEY:
        left = max((wish.target_amount or Decimal(0)) - wish.committed_amount, Decimal(0))
        return {"money": left}
    return {"quantity": wish.quantity or 1}


def wish_poster_pdf(wish: Wish) -> bytes:
    link = wish_link(wish)
    with translation.override("zh-hans"):
        return pdf_from_template(
            "wishes/poster_wish.html",
            {
                "wish": wish,
                "code": wish_code(wish),
                "needed": still_needed(wish),
                "link": link,
                "qr": qr_data_uri(link, box_size=12),
                "station": wish.station,
            },
        )


def _list_pdf(*, wishes: list[Wish], link: str, **context: Any) -> bytes:
    with translation.override("zh-hans"):
        return pdf_from_template(
            "wishes/poster_list.html",
            {
                "rows": [
                    {"wish": w, "code": wish_code(w), "needed": still_needed(w)} for w in wishes
                ],
                "link": link,
                "qr": qr_data_uri(link, box_size=10),
                **context,
            },
        )


def station_poster_pdf(station: Station) -> bytes:
    wishes = Wish.objects.filter(station=station, status=Wish.Status.OPEN).order_by(
        "needed_by", "pk"
    )[:STATION_WISHES]
    where = " · ".join(x for x in (station.address, station.opening_hours, station.phone) if x)
    return _list_pdf(
        wishes=list(wishes),
        link=station_link(station),
        heading=f"{station.name} 微心愿",
        heading_en="Micro-wishes of our neighbours",
        subheading=where,
    )


def campaign_link(campaign: Campaign) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return settings.SITE_URL.rstrip("/") + reverse("wishes:campaign_short", args=[campaign.pk])


def campaign_poster_pdf(campaign: Campaign) -> bytes:
    wishes = (
        campaign.wishes.filter(status=Wish.Status.OPEN)
        .select_related("station")
        .order_by("needed_by", "pk")[:STATION_WISHES]
    )
    return _list_pdf(
        wishes=list(wishes),
        link=campaign_link(campaign),
        heading=campaign.name,
        heading_en="A charity project",
        subheading=campaign.description[:120],
        show_station=True,
    )

"""Posters for the notice board: the PDF's text has the wish and its code, the QR decodes to
the short stable address, and that address leads to the wish's page."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.accounts import factories as f
from tests.pdfs import pdf_text, qr_codes
from tests.wishes import factories as wf

pytestmark = [pytest.mark.django_db, pytest.mark.cjk_pdf, pytest.mark.poppler, pytest.mark.zbar]

SITE = "https://wishpool.example.cn"


def _read(pdf: bytes, tmp_path) -> tuple[str, list[str]]:  # type: ignore[no-untyped-def]
    return pdf_text(pdf, tmp_path), qr_codes(pdf, tmp_path)


def test_a_wish_poster_and_its_stable_link(client, settings, tmp_path):
    from portal import content

    settings.SITE_URL = SITE
    content.demo_pages_ensure()
    worker = f.worker()
    wish = wf.wish(worker=worker, title="一台电风扇")
    client.force_login(worker)
    response = client.get(reverse("wishes:poster", args=[wish.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text, codes = _read(response.content, tmp_path)
    assert "一台电风扇" in text and f"W{wish.pk}" in text and wish.pseudonym in text
    assert codes == [f"{SITE}/w/{wish.pk}/"]
    assert wish.resident.private.real_name not in text
    followed = client.get(f"/w/{wish.pk}/")
    assert followed.status_code == 302 and followed["Location"].endswith(f"/wishes/{wish.pk}/")
    assert client.get(followed["Location"]).status_code == 200


def test_a_station_notice_lists_up_to_eight_open_wishes_with_codes(client, settings, tmp_path):
    from portal import content

    settings.SITE_URL = SITE
    content.demo_pages_ensure()
    worker = f.worker()
    wishes = [wf.wish(worker=worker, title=f"心愿{i}号") for i in range(9)]
    first = wishes[0]
    wf.wish(worker=worker, kind="money", target_amount=Decimal("80"), title="助听器电池")
    client.force_login(worker)
    response = client.get(reverse("wishes:station_poster", args=[worker.station_id]))
    text, codes = _read(response.content, tmp_path)
    assert sum(f"W{w.pk}" in text for w in wishes) == 8 and f"W{first.pk}" in text
    assert codes == [f"{SITE}/s/{worker.station_id}/"]
    followed = client.get(f"/s/{worker.station_id}/")
    assert followed["Location"].endswith(f"?station={worker.station_id}")


def test_posters_are_for_the_stations_staff(client):
    worker = f.worker()
    wish = wf.wish(worker=worker)
    client.force_login(f.worker(f.station("别处")))
    assert client.get(reverse("wishes:poster", args=[wish.pk])).status_code == 404
    assert client.get(reverse("wishes:station_poster", args=[worker.station_id])).status_code == 403
    unapproved = wf.wish(worker=worker, approve=False)
    client.force_login(worker)
    assert client.get(reverse("wishes:poster", args=[unapproved.pk])).status_code == 403
    assert client.get(f"/w/{unapproved.pk}/").status_code == 404  # not public: no address

"""Handing items out and taking them back at the station: by tag, through inspection, and
never out again before it passes."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.models import Transition
from lending import services
from lending.models import Item, Loan
from tests.accounts import factories as f
from tests.lending import factories as lf

pytestmark = pytest.mark.django_db


def _reserved(worker, days: int = 5):  # type: ignore[no-untyped-def]
    type_ = lf.equipment_type()
    (item,) = lf.items(type_, worker.station)
    today = timezone.localdate()
    loan = services.loan_request(
        resident=f.resident(by=worker, phone="13900001111"),
        type=type_,
        station=worker.station,
        starts_on=today,
        ends_on=today + timedelta(days=days - 1),
        by=worker,
    )
    assert isinstance(loan, Loan)
    return item, loan


def test_out_back_inspected_and_out_again_only_after_it_passes(client):
    worker = f.worker()
    item, loan = _reserved(worker)
    client.force_login(worker)
    found = client.post(reverse("lending:station"), {"tag": item.tag.lower()})
    assert found.status_code == 302 and found["Location"].endswith(f"/items/{item.tag}/")
    unpaid = client.post(
        reverse("lending:item", args=[item.tag]), {"action": "checkout"}, follow=True
    )
    loan.refresh_from_db()
    assert loan.status == Loan.Status.RESERVED  # the fee and deposit come first
    said = _said(unpaid)
    assert "are not paid yet" in said or "费用和押金尚未支付" in said
    client.post(reverse("lending:item", args=[item.tag]), {"action": "pay_cash"})
    client.post(reverse("lending:item", args=[item.tag]), {"action": "checkout"})
    loan.refresh_from_db()
    item.refresh_from_db()
    assert loan.status == Loan.Status.ON_LOAN and item.state == Item.State.ON_LOAN
    # the next person reserves it while it is out
    today = timezone.localdate()
    nxt = lf.ask(worker, item.type, days=4, starts_in=5)
    assert isinstance(nxt, Loan)
    no_note = client.post(
        reverse("lending:item", args=[item.tag]), {"action": "checkin", "condition": "damaged"}
    )
    assert no_note.status_code == 200
    loan.refresh_from_db()
    assert loan.status == Loan.Status.ON_LOAN  # a damaged return needs a note
    client.post(
        reverse("lending:item", args=[item.tag]),
        {"action": "checkin", "condition": "damaged", "note": "刹车松了"},
    )
    loan.refresh_from_db()
    item.refresh_from_db()
    assert loan.status == Loan.Status.RETURNED and loan.return_note == "刹车松了"
    assert item.state == Item.State.MAINTENANCE
    # the next reservation cannot go out while the item is in inspection
    Loan.objects.filter(pk=nxt.pk).update(starts_on=today)
    services.loan_pay_cash(loan=nxt, by=worker)  # paid: only the inspection stands in the way
    with pytest.raises(ValidationError, match=r"Inspection and cleaning|清洁"):
        services.loan_checkout(loan=nxt, tag=item.tag, by=worker)
    nxt.refresh_from_db()
    assert nxt.status == Loan.Status.RESERVED
    client.post(reverse("lending:item", args=[item.tag]), {"action": "inspect", "result": "pass"})
    item.refresh_from_db()
    assert item.state == Item.State.AVAILABLE
    services.loan_checkout(loan=nxt, tag=item.tag, by=worker)
    states = list(
        Transition.objects.filter(object_type="lending.item", object_id=str(item.pk)).values_list(
            "to_state", flat=True
        )
    )
    assert states == ["available", "on_loan", "maintenance", "available", "on_loan"]


def test_the_wrong_tag_another_station_or_an_unknown_tag_is_refused():
    worker = f.worker()
    item, loan = _reserved(worker)
    other_item = lf.items(item.type, worker.station, prefix="XX")[0]
    with pytest.raises(ValidationError):
        services.loan_checkout(loan=loan, tag=other_item.tag, by=worker)
    with pytest.raises(PermissionDenied):
        services.loan_checkout(loan=loan, tag=item.tag, by=f.worker())
    with pytest.raises(ValidationError):
        services.item_by_tag(tag="NO-SUCH-TAG", by=worker)
    loan.refresh_from_db()
    assert loan.status == Loan.Status.RESERVED


def test_the_station_page_lists_the_day_and_overdue_loans_with_a_phone(client):
    worker = f.worker()
    item, loan = _reserved(worker)
    services.loan_pay_cash(loan=loan, by=worker)
    services.loan_checkout(loan=loan, tag=item.tag, by=worker)
    long_ago = timezone.localdate() - timedelta(days=9)
    Loan.objects.filter(pk=loan.pk).update(starts_on=long_ago, ends_on=long_ago + timedelta(days=6))
    client.force_login(worker)
    page = client.get(reverse("lending:station")).content.decode()
    assert item.tag in page and "13900001111" in page
    client.force_login(f.UserFactory())
    assert client.get(reverse("lending:station")).status_code == 403


def _photo(name: str = "damage.png") -> SimpleUploadedFile:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_photos_taken_on_return_are_kept_privately_and_a_bad_file_changes_nothing(client, settings):
    from pathlib import Path

    worker = f.worker()
    item, loan = _reserved(worker)
    services.loan_pay_cash(loan=loan, by=worker)
    services.loan_checkout(loan=loan, tag=item.tag, by=worker)
    client.force_login(worker)
    url = reverse("lending:item", args=[item.tag])
    fake = SimpleUploadedFile("x.png", b"not a picture", content_type="image/png")
    page = client.post(
        url,
        {
            "action": "checkin",
            "condition": "damaged",
            "note": "扶手断了",
            "photos": [_photo(), fake],
        },
        follow=True,
    )
    loan.refresh_from_db()
    assert loan.status == Loan.Status.ON_LOAN and loan.return_photos == []
    said = _said(page)
    assert "not a photo we can read" in said or "无法读取" in said
    assert not list(Path(settings.PRIVATE_MEDIA_ROOT).glob("returns/*"))
    client.post(
        url,
        {
            "action": "checkin",
            "condition": "damaged",
            "note": "扶手断了",
            "photos": [_photo(), _photo("b.png")],
        },
    )
    loan.refresh_from_db()
    assert loan.status == Loan.Status.RETURNED and len(loan.return_photos) == 2
    photo = client.get(reverse("lending:photo", args=[loan.pk, 1]))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    client.force_login(f.worker())  # another station's worker
    assert client.get(reverse("lending:photo", args=[loan.pk, 0])).status_code == 404
    client.force_login(f.UserFactory())
    assert client.get(reverse("lending:photo", args=[loan.pk, 0])).status_code == 404


def _said(response) -> str:  # type: ignore[no-untyped-def]
    """What the page's messages said (the flash messages after a redirect)."""
    return " ".join(str(m) for m in response.context["messages"])

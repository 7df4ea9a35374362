"""The A4 sheet of QR labels: the type and the tag in print, and a QR that opens the item's
staff page (decoded from the rendered page with zbarimg)."""

import pytest
from django.urls import reverse

from tests.accounts import factories as f
from tests.lending import factories as lf
from tests.pdfs import pdf_text, qr_codes

pytestmark = [pytest.mark.django_db, pytest.mark.cjk_pdf, pytest.mark.poppler, pytest.mark.zbar]


def test_the_label_sheet_prints_type_tag_and_a_qr_to_the_item(client, settings, tmp_path):
    settings.SITE_URL = "https://wishpool.example.cn"
    worker = f.worker()
    type_ = lf.equipment_type()
    items = lf.items(type_, worker.station, count=2)
    elsewhere = lf.items(type_, f.station(), count=1, prefix="XX")
    client.force_login(worker)
    response = client.get(reverse("lending:labels"), {"warehouse": elsewhere[0].warehouse.pk})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "labels.pdf"
    pdf.write_bytes(response.content)
    text = pdf_text(pdf, layout=False)
    # a worker gets their own station's labels, whatever warehouse they ask for
    assert all(item.tag in text for item in items) and elsewhere[0].tag not in text
    assert "轮椅" in text
    decoded = qr_codes(pdf, tmp_path, dpi=200)
    assert sorted(decoded) == sorted(
        f"https://wishpool.example.cn/my/lending/items/{item.tag}/" for item in items
    )


def test_labels_are_for_staff_only(client):
    client.force_login(f.UserFactory())
    assert client.get(reverse("lending:labels")).status_code == 403

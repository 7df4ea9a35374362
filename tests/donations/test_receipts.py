import threading
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from core.files import private_path
from donations.models import Receipt, ReceiptCounter
from donations.services import receipts
from tests.accounts import factories as f
from tests.donations.helpers import company_donor, offline_gift
from tests.pdfs import pdf_fonts, pdf_text, qr_codes

pytestmark = [pytest.mark.django_db, pytest.mark.cjk_pdf]  # receipts are rendered on the way


@pytest.mark.cjk_pdf
@pytest.mark.poppler
def test_receipt_pdf_is_real_and_bilingual(tmp_path):
    donor = company_donor(name="上海梅园科技有限公司")
    donation = offline_gift(donor=donor, amount="1234.56")
    receipt = donation.receipts.get()
    path = private_path(receipts.receipt_pdf_render(receipt_id=receipt.pk))
    assert path.read_bytes().startswith(b"%PDF")
    text = pdf_text(path)
    assert receipt.number in text
    assert "¥1,234.56" in text
    assert "上海梅园科技有限公司" in text
    assert "壹仟贰佰叁拾肆元伍角陆分" in text
    assert "Donation receipt" in text and "捐赠收据" in text
    assert receipt.verification_code in text
    # rendering again replaces the one file
    receipts.receipt_pdf_render(receipt_id=receipt.pk)
    assert sorted(p.name for p in path.parent.iterdir()) == [f"{receipt.number}.pdf"]


@pytest.mark.cjk_pdf
@pytest.mark.poppler
@pytest.mark.zbar
def test_receipt_qr_reads_back_and_one_font_is_embedded(tmp_path):
    """The QR is drawn from one pixel per module: it must still scan from a printed page.
    One weight of one font is embedded (a second weight would double the render's cost)."""
    from donations.pdf import verification_url

    receipt = offline_gift(amount="88").receipts.get()
    path = private_path(receipts.receipt_pdf_render(receipt_id=receipt.pk))
    assert qr_codes(path, tmp_path) == [verification_url(receipt)]
    fonts = pdf_fonts(path)
    # the cut-down font of core/pdf_fonts.py, in one weight
    assert len(fonts) == 1 and "Wishpool-PDF-Sans" in fonts[0] and "Bold" not in fonts[0], fonts


@pytest.mark.cjk_pdf
@pytest.mark.poppler
def test_a_rare_character_is_drawn_from_the_full_font():
    """㛃 is not among the GB 2312 characters of the cut-down font: the next font in the
    list draws it, and the PDF embeds both."""
    donor = company_donor(name="上海㛃园科技有限公司")
    receipt = offline_gift(donor=donor, amount="12").receipts.get()
    path = private_path(receipts.receipt_pdf_render(receipt_id=receipt.pk))
    assert "上海㛃园科技有限公司" in pdf_text(path, layout=False)
    fonts = pdf_fonts(path)
    assert len(fonts) == 2, fonts
    assert any("Wishpool-PDF-Sans" in f for f in fonts)
    assert any("Noto-Sans-CJK-SC" in f for f in fonts)


@pytest.mark.cjk_pdf
@pytest.mark.poppler
def test_void_receipt_pdf_says_void(tmp_path):
    receipt = offline_gift(amount="50").receipts.get()
    receipts.receipt_void(receipt=receipt, reason="重复录入 duplicate entry")
    receipt.refresh_from_db()
    assert receipt.status == "void"
    path = private_path(receipts.receipt_pdf_render(receipt_id=receipt.pk))
    text = pdf_text(path, layout=False)
    assert "VOID" in text and "重复录入" in text


def test_void_needs_a_reason_and_is_quiet_on_repeat():
    receipt = offline_gift().receipts.get()
    with pytest.raises(ValueError):
        receipts.receipt_void(receipt=receipt, reason=" ")
    receipts.receipt_void(receipt=receipt, reason="wrong donor")
    receipts.receipt_void(receipt=receipt, reason="another reason")
    receipt.refresh_from_db()
    assert receipt.void_reason == "wrong donor"
    assert Receipt.objects.filter(pk=receipt.pk).exists()  # never deleted


def test_receipt_is_mailed_once_with_its_pdf(
    mailoutbox, django_capture_on_commit_callbacks, settings
):
    with django_capture_on_commit_callbacks(execute=True):
        donation = offline_gift(amount="88")
    receipt = donation.receipts.get()
    # eager Celery in tests: render then e-mail ran after commit; the company contact gets it
    assert len(mailoutbox) == 1
    assert mailoutbox[0].attachments[0][0] == f"{receipt.number}.pdf"
    assert receipts.receipt_email_send(receipt_id=receipt.pk) is False
    assert len(mailoutbox) == 1


def test_receipt_numbers_run_on_without_gaps():
    first = offline_gift().receipts.get()
    second = offline_gift().receipts.get()
    assert second.sequence == first.sequence + 1
    assert second.number == f"WP-{timezone.localdate().year}-{second.sequence:06d}"


def test_numbers_run_on_where_the_database_cannot_return_from_an_insert(monkeypatch):
    """SQLite before 3.35 has no RETURNING: the counter is locked, read and written instead."""
    first = offline_gift().receipts.get()
    monkeypatch.setattr(receipts, "_returning", lambda: False)
    second = offline_gift().receipts.get()
    third = offline_gift().receipts.get()
    assert [second.sequence, third.sequence] == [first.sequence + 1, first.sequence + 2]
    counter = ReceiptCounter.objects.get(series="WP", year=first.year)
    assert counter.last_number == third.sequence


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sixteen_concurrent_postings_get_unique_gapless_numbers():
    """16 threads on their own connections post at once; every third rolls back."""
    admin = f.fund_administrator()
    donors = [company_donor() for _ in range(16)]
    barrier = threading.Barrier(16)
    errors: list[BaseException] = []

    def post(i: int) -> None:
        try:
            barrier.wait()
            for round_ in range(3):
                try:
                    with transaction.atomic():
                        offline_gift(
                            donor=donors[i],
                            admin=admin,
                            reference=f"C{i}-{round_}",
                            amount=str(10 + i),
                        )
                        if (i + round_) % 3 == 0:
                            raise RuntimeError("roll back")
                except RuntimeError:
                    pass
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    year = timezone.localdate().year
    sequences = sorted(Receipt.objects.filter(year=year).values_list("sequence", flat=True))
    committed = sum(1 for i in range(16) for r in range(3) if (i + r) % 3 != 0)
    assert len(sequences) == committed
    assert sequences == list(range(1, committed + 1))
    assert ReceiptCounter.objects.get(series="WP", year=year).last_number == committed
    for alias in connections:
        connections[alias].close()


def test_ledger_stays_balanced_after_many_gifts():
    from django.db.models import Sum

    from charity.models import LedgerLeg

    for i in range(5):
        offline_gift(amount=str(Decimal("10.01") * (i + 1)))
    totals = LedgerLeg.objects.values("currency").annotate(total=Sum("amount"))
    assert all(row["total"] == 0 for row in totals)

"""The year-end batch: one statement and one mail per donor of the year, a second start
resumes without sending twice, failures are listed with their reasons."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from core.files import private_path
from reports import selectors
from reports.models import Statement, StatementBatch
from reports.services import statements
from tests.accounts import factories as f
from tests.donations.helpers import offline_gift
from tests.pdfs import pdf_text
from tests.reports.statement_helpers import gifts_in

pytestmark = [pytest.mark.django_db, pytest.mark.cjk_pdf, pytest.mark.poppler]

LAST_YEAR = timezone.localdate().year - 1


def test_a_statement_for_each_donor_of_the_year_sent_once(
    monkeypatch, django_capture_on_commit_callbacks, client
):
    office = f.fund_administrator()
    with django_capture_on_commit_callbacks(execute=False):  # receipts' own PDFs not needed
        silent, loud, generous = gifts_in(
            monkeypatch, LAST_YEAR, ["100", "250.50", "1200"], admin=office, without_address=1
        )
        offline_gift(amount="999", admin=office)  # this year's donor: not in last year's batch
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        batch = statements.statement_batch_start(year=LAST_YEAR, by=office)
    assert Statement.objects.filter(batch=batch).count() == 3
    sent = {m.to[0]: m for m in mail.outbox}
    assert len(mail.outbox) == 2
    generous_owner = generous.organisation.memberships.get().user  # type: ignore[union-attr]
    message = sent[generous_owner.email]
    (attachment,) = message.attachments
    assert attachment[0] == f"statement-{LAST_YEAR}.pdf" and attachment[1].startswith(b"%PDF")
    statement = Statement.objects.get(batch=batch, donor=generous)
    text = pdf_text(private_path(statement.pdf))
    assert generous.legal_name in text and "¥1,200.00" in text and str(LAST_YEAR) in text
    assert "¥999.00" not in text

    progress = selectors.batch_progress(batch)
    assert progress == {"total": 3, "sent": 2, "made": 3, "failed": 1}
    (failed,) = selectors.batch_failures(batch)
    assert failed.donor == silent and failed.failure == Statement.Failure.NO_ADDRESS

    # started again: nothing sent twice, the failure tried again (and still failing)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        again = statements.statement_batch_start(year=LAST_YEAR, by=office)
    assert again.pk == batch.pk and again.starts == 2 and not mail.outbox
    assert StatementBatch.objects.count() == 1
    assert selectors.batch_progress(batch)["failed"] == 1

    client.force_login(office)
    page = client.get(reverse("reports:statements")).content.decode()
    with translation.override("zh-hans"):
        assert gettext("%(sent)s of %(total)s sent") % {"sent": 2, "total": 3} in page
    assert silent.legal_name in page and str(Statement.Failure.NO_ADDRESS.label) in page
    client.force_login(f.worker())
    assert client.get(reverse("reports:statements")).status_code == 403


def test_an_interrupted_send_is_listed_not_sent_again(
    monkeypatch, django_capture_on_commit_callbacks
):
    office = f.fund_administrator()
    with django_capture_on_commit_callbacks(execute=False):
        (donor,) = gifts_in(monkeypatch, LAST_YEAR, ["80"], admin=office)
        batch = statements.statement_batch_start(year=LAST_YEAR, by=office)
    statement = Statement.objects.get(batch=batch)
    # the state a worker killed between claiming the send and recording it leaves behind
    Statement.objects.filter(pk=statement.pk).update(sending_at=timezone.now())
    mail.outbox.clear()
    assert statements.statement_make(statement_id=statement.pk) is False
    with django_capture_on_commit_callbacks(execute=True):
        statements.statement_batch_start(year=LAST_YEAR, by=office)
    assert not mail.outbox
    assert not selectors.batch_failures(batch)  # too recent to call it stuck
    (stuck,) = selectors.batch_failures(batch, stuck_after=timedelta(0))
    assert stuck.failure_reason == Statement.Failure.INTERRUPTED.label


def test_only_fund_administrators_start_a_batch_and_only_for_ended_years(
    django_capture_on_commit_callbacks,
):
    with pytest.raises(PermissionDenied):
        statements.statement_batch_start(year=LAST_YEAR, by=f.worker())
    office = f.fund_administrator()
    for year in (timezone.localdate().year, 1999):
        with pytest.raises(ValidationError):
            statements.statement_batch_start(year=year, by=office)
    assert not StatementBatch.objects.exists()


def test_the_page_refuses_a_bad_year_and_changes_nothing(client):
    client.force_login(f.fund_administrator())
    response = client.post(reverse("reports:statements"), {"year": "abc"}, follow=True)
    assert response.status_code == 200 and not StatementBatch.objects.exists()
    with translation.override("zh-hans"):
        assert gettext("Choose a year.") in response.content.decode()

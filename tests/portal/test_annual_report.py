"""The annual report: figures computed for a year with known data (posted through the services)
are exactly those; they are frozen in the revision, so a later correction changes nothing
published until an editor recomputes (and sees what changed) and publishes; its PDF holds them."""

from datetime import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts import roles
from accounts import services as accounts_services
from accounts.models import Warehouse
from charity import services as charity_services
from charity.selectors import fund_general
from core.files import private_path
from donations.services import donors, offline
from lending import services as lending_services
from lending.models import Loan
from lending.services.payments import lending_fund
from portal import content, services
from portal.models import AnnualReportPage, AnnualReportPdf
from tests.accounts import factories as f
from tests.donations.helpers import company_donor, goods_pledge, offline_gift
from tests.lending import factories as lf
from tests.pdfs import pdf_text
from tests.wishes import factories as wf
from wishes.services import claims, lifecycle

pytestmark = [pytest.mark.django_db, pytest.mark.cjk_pdf, pytest.mark.poppler]

YEAR = timezone.localdate().year - 1


def _a_known_year(monkeypatch) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """What happened in YEAR, recorded through the services on 1 June of it."""
    zone = timezone.get_default_timezone()
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: datetime(YEAR, 6, 1, 10, 0, tzinfo=zone))
    office, second = f.fund_administrator(), f.fund_administrator()
    a, b = company_donor(), company_donor()
    for donor in (a, b):
        accounts_services.organisation_approve(organisation=donor.organisation, by=office)
    offline_gift(donor=a, amount="300000", admin=office)
    offline_gift(donor=b, amount="200000", admin=office)
    person = donors.donor_for_user(user=f.UserFactory())
    offline_gift(donor=person, amount="16300", admin=office)
    offline.goods_intake_record(
        pledge=goods_pledge(10),
        quantity=10,
        condition="new",
        unit_value=Decimal("30"),
        warehouse=Warehouse.objects.get(is_main=True),
        by=office,
    )
    asked = charity_services.disbursement_request(
        from_fund=fund_general(),
        to_fund=lending_fund(),
        amount=Decimal("5000"),
        reason="轮椅维修",
        by=office,
    )
    charity_services.disbursement_approve(disbursement_id=asked.pk, by=second)

    worker = f.worker()
    fan = wf.wish(worker=worker, category="daily_goods")
    wf.wish(worker=worker, category="daily_goods", title="一个暖水袋")
    wf.wish(worker=worker, category="food", title="一袋大米")
    claimer, org = wf.member()
    claims.claim_create(wish=fan, by=claimer, organisation=org, show_name=False)  # type: ignore[arg-type]
    lifecycle.wish_mark_delivered(wish=fan, by=claimer)
    lifecycle.wish_fulfil(wish=fan, by=worker)

    chair = lf.equipment_type(daily_fee=Decimal("0"), deposit=Decimal("0"))
    (item,) = lf.items(chair, worker.station)  # type: ignore[arg-type]
    loan = lf.ask(worker, chair)
    assert isinstance(loan, Loan)
    lending_services.loan_checkout(loan=loan, tag=item.tag, by=worker)
    assert not isinstance(lf.ask(worker, chair), Loan)  # the second resident waits
    monkeypatch.setattr(timezone, "now", real_now)
    # this year: not the report's
    offline_gift(donor=a, amount="999", admin=office)
    wf.wish(worker=worker, category="food", title="一箱牛奶")
    return {"office": office, "person": person}


def _editor():  # type: ignore[no-untyped-def]
    return accounts_services.staff_role_grant(user=f.UserFactory(), role=roles.EDITOR)


def test_the_figures_of_a_known_year_frozen_published_and_in_the_pdf(
    monkeypatch, client, django_capture_on_commit_callbacks
):
    known = _a_known_year(monkeypatch)
    home = content.demo_pages_ensure()
    page = home.add_child(
        instance=AnnualReportPage(title=f"{YEAR} 年度报告", slug=f"report-{YEAR}", year=YEAR)
    )
    editor = _editor()
    revision, changes = services.annual_report_compute(page_id=page.pk, user=editor)
    assert changes == []  # the first computation has nothing to compare with
    f_ = revision.as_object().figures
    assert f_["raised"] == {
        "total": "516600.00",
        "companies_money": "500000.00",
        "companies_goods": "300.00",
        "people_money": "16300.00",
        "people_goods": "0.00",
    }
    assert f_["members"] == {"companies": 2, "companies_gave": 3, "people_gave": 1}
    assert f_["wishes"] == {
        "posted": 3,
        "fulfilled": 1,
        "by_category": [
            {"key": "daily_goods", "posted": 2, "fulfilled": 1},
            {"key": "food", "posted": 1, "fulfilled": 0},
        ],
        "people_helped": 1,
    }
    assert f_["lending"] == {
        "loans": 1,
        "by_type": [{"name": "轮椅", "name_en": "Wheelchair", "loans": 1}],
        "people_helped": 1,
        "waiting": 1,
    }
    assert f_["disbursed"]["total"] == "5000.00" and f_["disbursed"]["goods_out"] == "0.00"
    (purpose,) = f_["disbursed"]["by_purpose"]
    assert (purpose["amount"], purpose["count"]) == ("5000.00", 1)
    carried = f_["carried_forward"]
    assert (carried["total"], carried["goods"]) == ("516300.00", "300.00")
    balances = {row["name"]: row["balance"] for row in carried["funds"]}
    assert balances[fund_general().name] == "511300.00"
    assert balances[lending_fund().name] == "5000.00"

    # a draft until published: the public page has no figures yet
    page.refresh_from_db()
    assert not page.figures
    with django_capture_on_commit_callbacks(execute=True):
        page.get_latest_revision().publish(user=editor)
        services.annual_report_pdf_request(page_id=page.pk)
    shown = client.get(page.url).content.decode()
    assert "51.66 万元" in shown and "516,600.00" not in shown  # 万元, not raw yuan
    assert "<table" in shown and 'class="chart"' in shown and "data:image/svg+xml" in shown
    made = AnnualReportPdf.objects.get(page=page)
    assert made.revision_id == page.get_latest_revision().pk
    text = pdf_text(private_path(made.file))
    assert "51.66 万元" in text and "50.00 万元" in text and "1.63 万元" in text
    assert "轮椅" in text
    assert client.get(f"/annual-reports/{page.pk}.pdf").status_code == 200
    assert f'href="{page.url}"' in client.get("/transparency/").content.decode()

    # a correction later (a bank transfer of the year, recorded late) changes nothing public
    offline_gift(
        donor=known["person"],  # type: ignore[arg-type]
        amount="700",
        admin=known["office"],
        received_at=datetime(YEAR, 12, 20, 9, 0, tzinfo=timezone.get_default_timezone()),
    )
    assert "51.66 万元" in client.get(page.url).content.decode()
    figures, changes = services.annual_report_preview(page=page)
    assert figures["raised"]["total"] == "517300.00"
    assert {"path": "raised.total", "old": "516600.00", "new": "517300.00"} in changes
    assert {"path": "raised.people_money", "old": "16300.00", "new": "17000.00"} in changes
    assert len(changes) == 2
    services.annual_report_compute(page_id=page.pk, user=editor)
    assert "51.66 万元" in client.get(page.url).content.decode()  # still the published one
    page.refresh_from_db()
    assert page.figures["raised"]["total"] == "516600.00"
    assert page.get_latest_revision().as_object().figures_changes == changes


def test_compute_is_the_editors_and_the_pdf_only_of_a_published_page(client):
    home = content.demo_pages_ensure()
    page = home.add_child(
        instance=AnnualReportPage(title="报告", slug="report-x", year=YEAR, live=False)
    )
    url = f"/cms/annual-reports/{page.pk}/compute/"
    client.force_login(f.worker())
    assert client.get(url).status_code in (302, 403)
    client.force_login(_editor())
    preview = client.get(url)
    assert preview.status_code == 200
    assert client.post(url).status_code == 302
    page.refresh_from_db()
    assert page.get_latest_revision().as_object().figures["year"] == YEAR
    assert services.annual_report_pdf_make(page_id=page.pk) is None  # not published
    assert client.get(f"/annual-reports/{page.pk}.pdf").status_code == 404
    assert client.get("/annual-reports/999999.pdf").status_code == 404

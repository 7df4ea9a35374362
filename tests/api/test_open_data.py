"""The open-data API: exact figures for known data, only public data, 400s with reasons for bad
parameters, JSON 404s and 405s, CORS for reading, cached, and rate-limited per client."""

import json
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts import services as account_services
from charity import services as charity_services
from charity.selectors import fund_general
from donations.services import offline
from lending import services as lending_services
from lending.models import Loan
from lending.services.payments import lending_fund
from tests.accounts import factories as f
from tests.donations.helpers import company_donor, offline_gift
from tests.lending import factories as lf
from tests.wishes import factories as wf

pytestmark = pytest.mark.django_db

SECRET_COMPANY = "不愿具名的神秘科技有限公司"
REAL_NAME = "赵秘密"


@pytest.fixture(autouse=True)
def _fresh_cache(settings):  # type: ignore[no-untyped-def]
    settings.WISHPOOL_API_CACHE_SECONDS = 0
    cache.clear()
    yield
    cache.clear()


def _known() -> dict[str, object]:
    """Two named gifts and one anonymous, a disbursement, public and private wishes, loans."""
    office, second = f.fund_administrator(), f.fund_administrator()
    named = company_donor("阳光物业有限公司")
    hidden = company_donor(SECRET_COMPANY)
    offline_gift(donor=named, amount="1000", admin=office)
    offline.offline_income_record(
        donor=hidden,
        fund=fund_general(),
        amount=Decimal("300"),
        method="bank_transfer",
        reference="TX-HIDDEN",
        received_at=timezone.now(),
        show_name=False,  # the company asked not to be named
        by=office,
    )
    asked = charity_services.disbursement_request(
        from_fund=fund_general(),
        to_fund=lending_fund(),
        amount=Decimal("200"),
        reason="维修",
        by=office,
    )
    charity_services.disbursement_approve(disbursement_id=asked.pk, by=second)
    worker = f.worker()
    resident = f.resident(by=worker, real_name=REAL_NAME)
    account_services.hardship_record(
        staff=worker, resident=resident, category="dibao", proof_status="verified", expires_on=None
    )
    wf.wish(worker=worker, resident=resident, category="food", title="一袋大米")
    wf.wish(worker=worker, category="daily_goods")
    wf.wish(worker=worker, category="daily_goods", approve=False, title="待审核的心愿")
    chair = lf.equipment_type(daily_fee=Decimal("0"), deposit=Decimal("0"))
    (item,) = lf.items(chair, worker.station)  # type: ignore[arg-type]
    loan = lf.ask(worker, chair)
    assert isinstance(loan, Loan)
    lending_services.loan_checkout(loan=loan, tag=item.tag, by=worker)
    lf.ask(worker, chair)  # waits: no loan
    return {"worker": worker, "named": named}


def _json(client, url: str, **headers: str):  # type: ignore[no-untyped-def]
    response = client.get(url, **headers)
    return response.status_code, json.loads(response.content)


def test_the_figures_of_known_data(client):
    known = _known()
    status, funds = _json(client, "/api/v1/funds/")
    assert status == 200 and funds["currency"] == "CNY"
    assert funds["pool_balance"] == "1300.00"
    by_code = {row["code"]: row for row in funds["funds"]}
    assert by_code["general"]["balance"] == "1100.00" and by_code["general"]["raised"] == "1300.00"
    assert by_code["lending"]["balance"] == "200.00"

    month = timezone.localdate().strftime("%Y-%m")
    assert _json(client, "/api/v1/flows/?months=1")[1]["months"] == [
        {"month": month, "money_in": "1300.00", "money_out": "0.00"}  # a transfer is not out
    ]
    assert _json(client, "/api/v1/flows/?fund=lending")[1]["months"] == [
        {"month": month, "money_in": "200.00", "money_out": "0.00"}
    ]

    rows = _json(client, "/api/v1/wishes/?by=category")[1]["rows"]
    assert {(r["key"], r["count"]) for r in rows} == {("daily_goods", 1), ("food", 1)}
    status_rows = _json(client, "/api/v1/wishes/?by=status")[1]["rows"]
    assert [(r["key"], r["count"]) for r in status_rows] == [("open", 2)]  # not the one in review
    stations = _json(client, "/api/v1/wishes/?by=station")[1]["rows"]
    assert sum(r["count"] for r in stations) == 2
    assert _json(client, f"/api/v1/wishes/?by=month&since={timezone.localdate()}")[1]["rows"] == [
        {"key": month, "label": month, "count": 2}
    ]
    loans = _json(client, "/api/v1/loans/?by=type")[1]["rows"]
    assert loans == [{"key": "wheelchair", "label": "轮椅", "count": 1}]

    gifts = _json(client, "/api/v1/donations/")[1]
    assert gifts["count"] == 2 and gifts["pages"] == 1
    names = {(g["name"], g["amount"], g["named"]) for g in gifts["results"]}
    with translation.override("zh-hans"):
        caring = gettext("A caring company")
    assert names == {(known["named"].name, "1000.00", True), (caring, "300.00", False)}
    assert not any(SECRET_COMPANY in g["name"] for g in gifts["results"])
    assert _json(client, "/api/v1/donations/?fund=lending")[1]["count"] == 0


def test_nothing_private_in_any_answer(client):
    _known()
    urls = [
        "/api/v1/funds/",
        "/api/v1/flows/",
        *[f"/api/v1/wishes/?by={by}" for by in ("status", "category", "station", "month")],
        *[f"/api/v1/loans/?by={by}" for by in ("status", "type", "station", "month")],
        "/api/v1/donations/",
        "/api/v1/schema/?format=json",
    ]
    for url in urls:
        body = client.get(url).content.decode()
        for secret in (SECRET_COMPANY, REAL_NAME, "dibao", "低保", "13800000001", "梅园路"):
            assert secret not in body, f"{secret} in {url}"


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/flows/?months=0", "months"),
        ("/api/v1/flows/?months=abc", "months"),
        ("/api/v1/flows/?months=999999999999999999999", "months"),
        ("/api/v1/flows/?fund=no-such-fund", "fund"),
        ("/api/v1/wishes/?by=resident", "by"),
        ("/api/v1/wishes/?since=2026-02-30", "since"),
        ("/api/v1/loans/?since=2026-05-01&until=2026-04-01", "until"),
        ("/api/v1/donations/?page=0", "page"),
        ("/api/v1/loans/?until=9999-12-31", "until"),
        ("/api/v1/wishes/?until=", "until"),
        ("/api/v1/donations/?page=%00", "page"),
        ("/api/v1/funds/?anything=1", "anything"),
    ],
)
def test_a_bad_parameter_is_a_400_with_the_reason(client, url, field):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    errors = json.loads(response.content)["errors"]
    assert list(errors) == [field] and errors[field][0]


def test_errors_speak_the_callers_language(client):
    zh = json.loads(client.get("/api/v1/flows/?fund=x", HTTP_ACCEPT_LANGUAGE="zh-hans").content)
    en = json.loads(client.get("/api/v1/flows/?fund=x", HTTP_ACCEPT_LANGUAGE="en").content)
    assert en["errors"]["fund"] == ["No published fund has this code."]
    assert zh["errors"]["fund"] != en["errors"]["fund"]


def test_other_addresses_and_methods_answer_in_json(client):
    missing = client.get("/api/v1/residents/")
    assert missing.status_code == 404 and "errors" in json.loads(missing.content)
    posted = client.post("/api/v1/funds/", {"x": 1})
    assert posted.status_code == 405 and "errors" in json.loads(posted.content)


def test_any_site_may_read_but_not_the_rest_of_the_site(client):
    api = client.get("/api/v1/funds/", HTTP_ORIGIN="https://dashboard.example.gov.cn")
    assert api["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in api
    page = client.get("/transparency/", HTTP_ORIGIN="https://dashboard.example.gov.cn")
    assert "Access-Control-Allow-Origin" not in page


def test_answers_are_cached_and_the_schema_published(client, settings):
    settings.WISHPOOL_API_CACHE_SECONDS = 60
    first = _json(client, "/api/v1/funds/")[1]
    offline_gift(amount="50")
    assert _json(client, "/api/v1/funds/")[1] == first  # from the cache
    cache.clear()
    assert _json(client, "/api/v1/funds/")[1]["pool_balance"] == "50.00"
    schema = _json(client, "/api/v1/schema/?format=json")[1]
    assert schema["openapi"].startswith("3.") and set(schema["paths"]) == {
        "/api/v1/funds/",
        "/api/v1/flows/",
        "/api/v1/wishes/",
        "/api/v1/loans/",
        "/api/v1/donations/",
    }


def test_each_client_is_rate_limited(client, settings):
    settings.WISHPOOL_API_RATE = "3/min"
    for _ in range(3):
        assert client.get("/api/v1/funds/", REMOTE_ADDR="10.0.0.1").status_code == 200
    limited = client.get("/api/v1/funds/", REMOTE_ADDR="10.0.0.1")
    assert limited.status_code == 429 and "errors" in json.loads(limited.content)
    assert int(limited["Retry-After"]) > 0
    assert client.get("/api/v1/funds/", REMOTE_ADDR="10.0.0.2").status_code == 200  # another

"""The board and the private pages: who sees what, bad input, photos."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from portal import content
from tests.accounts import factories as f
from tests.wishes import factories as wf
from wishes.models import Wish
from wishes.services import lifecycle

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def board(settings):  # type: ignore[no-untyped-def]
    settings.WISHPOOL_BOARD_CACHE_SECONDS = 0
    content.demo_pages_ensure()


def test_board_shows_only_approved_wishes_and_never_private_fields(client):
    worker = f.worker()
    resident = f.resident(by=worker, real_name="赵真名", address="秘密路 9 号", phone="13911112222")
    public = wf.wish(worker=worker, resident=resident, title="公开的心愿")
    hidden = wf.wish(worker=worker, resident=resident, title="待审核的心愿", approve=False)
    from accounts import services

    services.hardship_record(
        staff=worker, resident=resident, category="dibao", proof_status="verified", expires_on=None
    )
    board = client.get("/wishes/").content.decode()
    detail = client.get(f"/wishes/{public.pk}/").content.decode()
    assert "公开的心愿" in board and "待审核的心愿" not in board
    assert client.get(f"/wishes/{hidden.pk}/").status_code == 404
    for page in (board, detail):
        for secret in ("赵真名", "秘密路", "13911112222", "低保", "Minimum living allowance"):
            assert secret not in page


def test_board_filters_and_search(client):
    food = wf.wish(title="大米一袋", category="food")
    repair = wf.wish(title="修水管", category="home_repair")
    body = client.get("/en/wishes/?category=food").content.decode()
    assert food.title in body and repair.title not in body
    body = client.get("/en/wishes/?q=水管").content.decode()
    assert repair.title in body and food.title not in body
    body = client.get(f"/en/wishes/?station={repair.station_id}").content.decode()
    assert repair.title in body and food.title not in body
    assert (
        client.get("/en/wishes/?category=nonsense&station=abc").status_code == 200
    )  # bad filters are ignored


def test_open_wishes_come_first(client):
    done = wf.wish(title="心愿乙号")
    member, org = wf.member()
    from wishes.services import claims

    claims.claim_create(wish=done, by=member, organisation=org, show_name=True)
    wf.wish(title="心愿甲号")
    body = client.get("/wishes/").content.decode()
    assert body.index("心愿甲号") < body.index("心愿乙号")


def test_board_queries_do_not_grow_with_the_number_of_wishes(client):
    worker = f.worker()
    for i in range(5):
        wf.wish(worker=worker, title=f"心愿{i}")
    client.get("/wishes/")  # warm Wagtail's site and locale caches
    with CaptureQueriesContext(connection) as few:
        client.get("/wishes/")
    for i in range(30):
        wf.wish(worker=worker, title=f"更多{i}")
    with CaptureQueriesContext(connection) as many:
        client.get("/wishes/")
    assert len(many) == len(few)


def test_board_is_cached_for_anonymous_visitors(client, settings):
    from django.core.cache import cache

    settings.WISHPOOL_BOARD_CACHE_SECONDS = 60
    cache.clear()
    wish = wf.wish(title="第一")
    client.get("/wishes/")
    client.get(f"/wishes/{wish.pk}/")
    with CaptureQueriesContext(connection) as cached:
        copy = client.get("/wishes/")
        body = copy.content.decode()
        detail = client.get(f"/wishes/{wish.pk}/").content.decode()
    assert "第一" in body and "第一" in detail
    assert len(cached) == 0  # served from the cache before Wagtail routes the request
    # a copy carries every header a fresh page does
    assert copy.headers["X-Frame-Options"] == "DENY"
    assert "default-src" in copy.headers["Content-Security-Policy"]
    assert copy.headers["Content-Language"] == "zh-hans"
    assert "Accept-Language" in copy.headers["Vary"]
    english = client.get("/en/wishes/")
    assert english.headers["Content-Language"] == "en" and "第一" in english.content.decode()
    member, _ = wf.member()
    client.force_login(member)
    with CaptureQueriesContext(connection) as fresh:
        client.get("/wishes/")
    assert any(
        '"wishes_wish"' in q["sql"] for q in fresh.captured_queries
    )  # signed in: always fresh


def test_a_withdrawn_wish_leaves_the_cached_board_at_once(
    client, settings, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    settings.WISHPOOL_BOARD_CACHE_SECONDS = 60
    cache.clear()
    worker = f.worker()
    wish = wf.wish(worker=worker, title="要撤回的心愿")
    assert "要撤回的心愿" in client.get("/wishes/").content.decode()
    assert client.get(f"/wishes/{wish.pk}/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.wish_withdraw(wish=wish, by=worker, reason="不需要了")
    assert "要撤回的心愿" not in client.get("/wishes/").content.decode()
    assert client.get(f"/wishes/{wish.pk}/").status_code == 404


def test_a_visitors_message_never_reaches_the_shared_copy(client, settings):
    """Signing out with next=/wishes/?x shows "signed out" to that visitor only."""
    from django.core.cache import cache

    settings.WISHPOOL_BOARD_CACHE_SECONDS = 60
    cache.clear()
    wf.wish(title="第一")
    member, _ = wf.member()
    client.force_login(member)
    response = client.post("/en/accounts/logout/?next=/en/wishes/?x=1", follow=True)
    assert "signed out" in response.content.decode().lower()
    stranger = type(client)()
    page = stranger.get("/en/wishes/?x=1").content.decode()
    assert "signed out" not in page.lower() and "第一" in page
    # and the stranger's own copy is now the shared one
    again = stranger.get("/en/wishes/?x=1").content.decode()
    assert "signed out" not in again.lower()


def test_wish_text_is_plain_text(client):
    evil = wf.wish(
        title="<script>alert(1)</script>", story='<img src=x onerror="alert(2)"> 真的需要'
    )
    body = client.get(f"/wishes/{evil.pk}/").content.decode()
    assert (
        "<script>alert(1)</script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    )
    assert "<img src=x" not in body and "&lt;img src=x" in body


def test_residents_see_only_their_own_wishes_and_workers_only_their_station(client):
    worker_a = f.worker(f.station("甲站"))
    worker_b = f.worker(f.station("乙站"))
    wish_a = wf.wish(worker=worker_a, approve=False)
    wish_b = wf.wish(worker=worker_b, approve=False)
    client.force_login(worker_a)
    assert client.get(reverse("wishes:private", args=[wish_a.pk])).status_code == 200
    assert client.get(reverse("wishes:private", args=[wish_b.pk])).status_code == 404
    assert (
        client.post(
            reverse("wishes:vet", args=[wish_b.pk]), {"decision": "approve", "claim_days": 14}
        ).status_code
        == 404
    )
    wish_b.refresh_from_db()
    assert wish_b.status == Wish.Status.SUBMITTED
    person = f.UserFactory(kind="resident")
    from accounts import services

    services.resident_link_user(worker=worker_a, resident=wish_a.resident, email=person.email)
    client.force_login(person)
    assert client.get(reverse("wishes:private", args=[wish_a.pk])).status_code == 200
    assert client.get(reverse("wishes:private", args=[wish_b.pk])).status_code == 404
    page = client.get(reverse("wishes:private", args=[wish_a.pk])).content.decode()
    assert wish_a.resident.private.real_name not in page  # the private record is for staff
    assert client.get(reverse("wishes:review")).status_code == 403


def _png(exif: bool = True) -> bytes:
    image = Image.new("RGB", (40, 30), (200, 30, 30))
    out = io.BytesIO()
    if exif:
        info = Image.Exif()
        info[0x010F] = "SecretCam"  # Make
        info[0x8825] = {1: "N", 2: (31.0, 14.0, 0.0)}  # GPS
        image.save(out, format="JPEG", exif=info)
    else:
        image.save(out, format="PNG")
    return out.getvalue()


def _post_wish(client, worker, resident, photo):  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from django.utils import timezone

    client.force_login(worker)
    return client.post(
        reverse("wishes:new"),
        {
            "resident": resident.pk,
            "consent": "phone",
            "title": "带照片",
            "story": "看图",
            "category": "other",
            "kind": "item",
            "quantity": 1,
            "needed_by": (timezone.localdate() + timedelta(days=5)).isoformat(),
            "photo": photo,
        },
    )


def test_photos_are_re_encoded_without_exif_and_served_only_when_allowed(client):
    worker = f.worker()
    resident = f.resident(by=worker)
    response = _post_wish(
        client, worker, resident, SimpleUploadedFile("a.jpg", _png(), content_type="image/jpeg")
    )
    assert response.status_code == 302
    wish = Wish.objects.get(title="带照片")
    url = reverse("wishes:photo", args=[wish.pk, "wish"])
    client.logout()
    assert client.get(url).status_code == 404  # not public before approval
    client.force_login(worker)
    data = b"".join(client.get(url).streaming_content)
    stored = Image.open(io.BytesIO(data))
    assert stored.format == "JPEG" and not stored.getexif()
    assert b"SecretCam" not in data


@pytest.mark.parametrize(
    ("name", "payload"),
    [
        ("evil.jpg", b"<?php system($_GET['c']); ?>"),
        ("x.svg", b"<svg onload=alert(1)></svg>"),
        ("big.jpg", b"\xff" * (5 * 1024 * 1024 + 1)),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_saved(client, name, payload):
    worker = f.worker()
    resident = f.resident(by=worker)
    response = _post_wish(
        client, worker, resident, SimpleUploadedFile(name, payload, content_type="image/jpeg")
    )
    assert response.status_code == 200
    assert not Wish.objects.filter(title="带照片").exists()
    assert response.context["form"].non_field_errors()


def test_bad_numbers_in_posts_are_refused_without_an_error_page(client, settings):
    settings.STRIPE_SECRET_KEY = "sk_test_configured"
    wish = wf.wish(kind="money", target_amount=Decimal("50"))
    user, org = wf.member()
    client.force_login(user)
    response = client.post(
        reverse("wishes:give", args=[wish.pk]),
        {"give_as": f"org:{org.pk}", "amount": "10", "confirm": "NaN"},
    )
    assert response.status_code in (302, 200)
    wish.refresh_from_db()
    assert wish.committed_amount == 0
    admin = f.fund_administrator()
    client.force_login(admin)
    assert client.post(reverse("wishes:disbursements"), {"disbursement": "x"}).status_code == 404


def test_offline_income_cannot_go_straight_into_a_wish():
    from donations.forms import OfflineIncomeForm

    wish = wf.wish(kind="money")
    assert wish.fund not in OfflineIncomeForm().fields["fund"].queryset


def test_offline_income_for_a_wish_is_refused_by_the_service_too():
    """The form hides wish funds; the service refuses them whoever calls it, so a wish can
    never be over-funded past its held chip-ins."""
    from datetime import datetime

    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from donations.models import Donation
    from donations.services.offline import offline_income_record

    wish = wf.wish(kind="money")
    with pytest.raises(ValidationError):
        offline_income_record(
            fund=wish.fund,
            organisation=f.organisation(),
            amount=Decimal("50"),
            method="bank_transfer",
            reference="BANK-WISH-1",
            received_at=timezone.make_aware(datetime(2026, 11, 1, 12)),
            show_name=True,
            by=f.fund_administrator(),
        )
    assert not Donation.objects.filter(fund=wish.fund).exists()


def test_a_stuck_disbursement_can_be_rejected_on_the_screen_and_the_wish_asked_for_again(client):
    from charity.models import Disbursement
    from core.models import Transition
    from wishes.services import chipins

    wish = wf.wish(kind="money", target_amount=Decimal("200"))
    asker, other = f.fund_administrator(), f.fund_administrator()
    item = chipins.wish_fund_from_pool_request(wish=wish, amount=None, by=asker)
    with pytest.raises(ValidationError):  # one waiting request per wish
        chipins.wish_fund_from_pool_request(wish=wish, amount=None, by=asker)
    client.force_login(other)
    no_reason = client.post(
        reverse("wishes:disbursements"),
        {"disbursement": str(item.pk), "decision": "reject", "reason": " "},
    )
    assert no_reason.status_code == 302
    item.refresh_from_db()
    assert item.status == Disbursement.Status.REQUESTED
    client.post(
        reverse("wishes:disbursements"),
        {"disbursement": str(item.pk), "decision": "reject", "reason": "已由企业认捐"},
    )
    item.refresh_from_db()
    assert item.status == Disbursement.Status.REJECTED and item.decision_reason == "已由企业认捐"
    assert item.decided_by == other and item.entry is None
    assert Transition.objects.filter(
        object_type="charity.disbursement", object_id=str(item.pk), to_state="rejected"
    ).exists()
    # nothing blocks the wish any more
    assert chipins.wish_fund_from_pool_request(wish=wish, amount=None, by=asker).pk != item.pk


def test_marking_a_claimed_wish_delivered_on_the_screen_closes_the_claim_with_history(client):
    from core.models import Transition
    from wishes.models import Claim
    from wishes.services import claims

    worker = f.worker()
    wish = wf.wish(worker=worker)
    user, org = wf.member()
    claim = claims.claim_create(wish=wish, by=user, organisation=org, show_name=True)
    client.force_login(worker)
    assert client.post(reverse("wishes:deliver", args=[wish.pk])).status_code == 302
    claim.refresh_from_db()
    assert claim.status == Claim.Status.DELIVERED and claim.closed_at is not None
    history = Transition.objects.filter(object_type="wishes.claim", object_id=str(claim.pk))
    assert list(history.values_list("from_state", "to_state")) == [
        ("", "active"),
        ("active", "delivered"),
    ]
    assert history.last().by_id == worker.pk


def test_a_copy_drawn_while_a_wish_changed_is_never_served(client, settings, monkeypatch):
    from django.core.cache import cache

    from wishes import cache as board_cache
    from wishes import selectors

    settings.WISHPOOL_BOARD_CACHE_SECONDS = 60
    cache.clear()
    wf.wish(title="画的时候还在")
    drawn = selectors.board_wishes

    def changed_while_drawing(*args, **kwargs):  # type: ignore[no-untyped-def]
        board_cache.board_changed()  # a wish is withdrawn by someone else, mid-drawing
        return drawn(*args, **kwargs)

    monkeypatch.setattr(selectors, "board_wishes", changed_while_drawing)
    client.get("/wishes/")  # drawn under the old generation: its copy is stale from the start
    monkeypatch.setattr(selectors, "board_wishes", drawn)
    with CaptureQueriesContext(connection) as fresh:
        assert "画的时候还在" in client.get("/wishes/").content.decode()
    assert any('"wishes_wish"' in q["sql"] for q in fresh.captured_queries)  # drawn again
    with CaptureQueriesContext(connection) as copy:
        client.get("/wishes/")
    assert len(copy) == 0  # and that one, current, is served from then on

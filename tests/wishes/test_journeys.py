"""The wish journeys as a resident, a donor and a worker meet them: privacy from the
resident's side, what a claimer is told, cancelling a payment, who sees which action."""

import io
import threading
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from accounts import services as account_services
from accounts.models import User
from core.models import Transition
from portal import content
from tests.accounts import factories as f
from tests.wishes import factories as wf
from wishes.models import ChipIn, Claim, Wish
from wishes.services import chipins, claims, lifecycle

pytestmark = pytest.mark.django_db


def _resident_with_account(worker: User):  # type: ignore[no-untyped-def]
    resident = f.resident(by=worker, real_name="王秀英")
    user = f.UserFactory(kind=User.Kind.RESIDENT)
    account_services.resident_link_user(worker=worker, resident=resident, email=user.email)
    resident.refresh_from_db()
    return resident, user


def _jpeg() -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (40, 40), "red").save(buf, "JPEG")
    return SimpleUploadedFile("p.jpg", buf.getvalue(), content_type="image/jpeg")


# --- privacy from the resident's side -----------------------------------------------------


def test_a_resident_cannot_claim_her_own_wish_and_her_name_never_shows(client):
    content.demo_pages_ensure()
    worker = f.worker()
    resident, user = _resident_with_account(worker)
    wish = wf.wish(worker=worker, resident=resident)
    with pytest.raises(PermissionDenied):
        claims.claim_create(wish=wish, by=user, organisation=None, show_name=True)
    money = wf.wish(worker=worker, resident=resident, kind="money")
    with pytest.raises(PermissionDenied):
        chipins.chipin_start(
            wish=money, by=user, organisation=None, amount=Decimal("10"), show_name=True
        )
    client.force_login(user)
    page = client.get(f"/wishes/{wish.pk}/").content.decode()
    assert f"/my/wishes/{wish.pk}/claim/" not in page and "王秀英" not in page
    assert client.post(
        reverse("wishes:claim", args=[wish.pk]), {"give_as": "self"}
    ).status_code in (
        302,
        403,
    )
    assert not Claim.objects.filter(wish=wish).exists()


@pytest.mark.parametrize(
    "pseudonym,area",
    [
        ("李建国爷爷", "梅园社区"),
        ("建国爷爷", "梅园社区"),
        ("李爷爷", "梅园路30弄"),
        ("李爷爷", "梅园 12号"),
    ],
)
def test_a_real_name_or_a_house_number_never_goes_public(pseudonym, area):
    worker = f.worker()
    resident = f.resident(by=worker, real_name="李建国", pseudonym="李爷爷")
    with pytest.raises(ValidationError):
        wf.wish(worker=worker, resident=resident, pseudonym=pseudonym, coarse_area=area)
    assert not Wish.objects.filter(resident=resident).exists()


@pytest.mark.parametrize(
    "title,story",
    [
        ("给李建国一台电扇", "夏天太热。"),
        ("一台电扇", "建国爷爷说夏天太热。"),
        ("一台电扇", "请打 13800000001 联系。"),
        ("一台电扇", "请打 021-6234 5678 联系。"),
        ("一台电扇", "送到梅园路 12 弄 3 号。"),
        ("一台电扇", "住 5 栋 302 室，夏天太热。"),
    ],
)
def test_a_title_or_story_never_carries_the_name_a_phone_or_the_door(title, story):
    worker = f.worker()
    resident = f.resident(by=worker, real_name="李建国", pseudonym="李爷爷")
    with pytest.raises(ValidationError):
        wf.wish(worker=worker, resident=resident, title=title, story=story)
    assert not Wish.objects.filter(resident=resident).exists()


def test_a_floor_or_a_date_in_a_story_is_fine():
    worker = f.worker()
    resident = f.resident(by=worker, real_name="李建国", pseudonym="李爷爷")
    wish = wf.wish(
        worker=worker, resident=resident, story="住在 5 楼，腿脚不便，12号前需要，两个人用。"
    )
    assert wish.status == Wish.Status.OPEN


def test_a_resident_typing_her_phone_into_her_wish_keeps_what_she_typed(client):
    worker = f.worker()
    resident, user = _resident_with_account(worker)
    wish = wf.wish(worker=worker, resident=resident, approve=False)
    lifecycle.wish_request_changes(wish=wish, by=wf.colleague(worker), message="多写一点")
    client.force_login(user)
    story = "夏天太热，我的电话是 13800000001。"
    response = client.post(
        reverse("wishes:resubmit", args=[wish.pk]),
        {"title": "一台新电扇", "story": story, "needed_by": wish.needed_by.isoformat()},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "error-summary" in page and story in page and "一台新电扇" in page
    wish.refresh_from_db()
    assert (wish.status, wish.title) == (Wish.Status.CHANGES_REQUESTED, "一台电风扇")


def test_staff_are_warned_of_a_leak_in_an_old_story_and_cannot_approve_it(client):
    worker = f.worker()
    resident = f.resident(by=worker, real_name="李建国", pseudonym="李爷爷")
    wish = wf.wish(worker=worker, resident=resident, approve=False)
    Wish.objects.filter(pk=wish.pk).update(story="李建国住梅园路 12 弄 3 号")  # an old post
    client.force_login(wf.colleague(worker))
    with translation.override("en"):
        page = client.get(reverse("wishes:private", args=[wish.pk])).content.decode()
        assert "title or story contains the resident" in page
        response = client.post(
            reverse("wishes:vet", args=[wish.pk]), {"decision": "approve", "claim_days": "14"}
        )
    assert "error-summary" in response.content.decode()
    wish.refresh_from_db()
    assert wish.status == Wish.Status.SUBMITTED


def test_a_thank_you_note_with_a_phone_number_is_refused():
    worker = f.worker()
    wish = wf.wish(worker=worker)
    user, org = wf.member()
    claims.claim_create(wish=wish, by=user, organisation=org, show_name=False)
    lifecycle.wish_mark_delivered(wish=wish, by=worker)
    with pytest.raises(ValidationError):
        lifecycle.wish_fulfil(wish=wish, by=worker, thank_you_note="谢谢！有事打 13912345678")
    wish.refresh_from_db()
    assert wish.status == Wish.Status.DELIVERED


def test_staff_correct_the_public_name_and_area_at_review(client):
    worker = f.worker()
    resident = f.resident(by=worker, real_name="李建国", pseudonym="李爷爷", coarse_area="梅园社区")
    wish = wf.wish(worker=worker, resident=resident, approve=False)
    Wish.objects.filter(pk=wish.pk).update(
        pseudonym="李建国", coarse_area="梅园路30弄"
    )  # an old post
    colleague = wf.colleague(worker)
    client.force_login(colleague)
    page = client.get(reverse("wishes:private", args=[wish.pk])).content.decode()
    assert "real name" in page or "真实姓名" in page
    data = {
        "decision": "approve",
        "claim_days": "14",
        "pseudonym": "李建国",
        "coarse_area": "梅园社区",
    }
    client.post(reverse("wishes:vet", args=[wish.pk]), data)
    wish.refresh_from_db()
    assert wish.status == Wish.Status.SUBMITTED  # refused while the real name stays
    client.post(reverse("wishes:vet", args=[wish.pk]), {**data, "pseudonym": "李爷爷"})
    wish.refresh_from_db()
    assert (wish.status, wish.pseudonym, wish.coarse_area) == ("open", "李爷爷", "梅园社区")


def test_a_photo_is_public_only_with_the_residents_consent(client, settings, tmp_path):
    content.demo_pages_ensure()
    worker = f.worker()
    client.force_login(worker)
    resident = f.resident(by=worker)
    form = {
        "resident": str(resident.pk),
        "consent": "in_person",
        "title": "一台收音机",
        "story": "想听戏曲。",
        "category": "companionship",
        "kind": "item",
        "quantity": "1",
        "needed_by": (timezone.localdate() + timedelta(days=10)).isoformat(),
    }
    client.post(reverse("wishes:new"), {**form, "photo": _jpeg()})
    wish = Wish.objects.get(title="一台收音机")
    assert wish.photo and not wish.photo_public
    lifecycle.wish_approve(wish=wish, by=wf.colleague(worker))
    client.logout()
    assert "wish-photos" not in client.get(f"/wishes/{wish.pk}/").content.decode()
    assert client.get(reverse("wishes:photo", args=[wish.pk, "wish"])).status_code == 404
    Wish.objects.filter(pk=wish.pk).update(photo_public=True)
    assert client.get(reverse("wishes:photo", args=[wish.pk, "wish"])).status_code == 200


def test_a_thank_you_note_with_the_real_name_is_refused():
    worker = f.worker()
    resident = f.resident(by=worker, real_name="王秀英")
    wish = wf.wish(worker=worker, resident=resident)
    user, org = wf.member()
    claims.claim_create(wish=wish, by=user, organisation=org, show_name=False)
    lifecycle.wish_mark_delivered(wish=wish, by=worker)
    with pytest.raises(ValidationError):
        lifecycle.wish_fulfil(wish=wish, by=worker, thank_you_note="王秀英说谢谢")
    wish.refresh_from_db()
    assert wish.status == Wish.Status.DELIVERED


def test_the_same_wish_form_sent_three_times_makes_one_wish(client):
    worker = f.worker()
    resident = f.resident(by=worker)
    client.force_login(worker)
    token = str(uuid.uuid4())
    form = {
        "resident": str(resident.pk),
        "consent": "in_person",
        "title": "一双棉鞋",
        "story": "冬天脚冷。",
        "category": "clothing",
        "kind": "item",
        "quantity": "1",
        "needed_by": (timezone.localdate() + timedelta(days=10)).isoformat(),
        "submission_token": token,
    }
    for _ in range(3):
        assert client.post(reverse("wishes:new"), form).status_code == 302
    assert Wish.objects.filter(title="一双棉鞋").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_three_simultaneous_posts_of_one_form_make_one_wish():
    worker = f.worker()
    resident = f.resident(by=worker)
    token = uuid.uuid4()
    barrier = threading.Barrier(3)

    def post() -> None:
        try:
            barrier.wait()
            lifecycle.wish_submit(
                by=worker,
                resident=resident,
                title="一双棉鞋",
                story="冬天脚冷。",
                category="clothing",
                kind="item",
                needed_by=timezone.localdate() + timedelta(days=10),
                consent="in_person",
                quantity=1,
                submission_token=token,
            )
        except Exception:  # noqa: S110 - the losers hit the unique token
            pass
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Wish.objects.filter(submission_token=token).count() == 1


# --- donors and claims --------------------------------------------------------------------


def test_a_claimer_is_told_where_to_bring_it_and_the_worker_sees_how_to_reach_them(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    content.demo_pages_ensure()
    station = f.station()
    account_services.station_update(
        station=station,
        by=f.fund_administrator(),
        name=station.name,
        address="梅园路 88 号",
        district=station.district,
        phone="021-5888 0101",
        opening_hours="周一至周六 8:30–17:00",
    )
    worker = f.worker(station)
    wish = wf.wish(worker=worker)
    user, org = wf.member()
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("wishes:claim", args=[wish.pk]), {"give_as": f"org:{org.pk}", "show_name": ""}
        )
    page = client.get(f"/wishes/{wish.pk}/").content.decode()
    for fact in ("梅园路 88 号", "周一至周六 8:30–17:00", "021-5888 0101"):
        assert fact in page
    mine = [m for m in mailoutbox if user.email in m.to]
    assert mine and all(fact in mine[0].body for fact in ("梅园路 88 号", "021-5888 0101"))
    assert f"/wishes/{wish.pk}/" in mine[0].body
    client.force_login(worker)
    private = client.get(reverse("wishes:private", args=[wish.pk])).content.decode()
    assert user.email in private


def test_the_delivered_button_shows_only_to_the_claimer_and_the_station(client):
    content.demo_pages_ensure()
    worker = f.worker()
    wish = wf.wish(worker=worker)
    user, org = wf.member()
    claims.claim_create(wish=wish, by=user, organisation=org, show_name=False)
    action = f"/my/wishes/{wish.pk}/deliver/"
    client.force_login(f.UserFactory())
    assert action not in client.get(f"/wishes/{wish.pk}/").content.decode()
    for person in (user, worker):
        client.force_login(person)
        assert action in client.get(f"/wishes/{wish.pk}/").content.decode()


@pytest.mark.cjk_pdf
def test_cancelling_a_payment_frees_the_hold_at_once(client, stripe_world):
    content.demo_pages_ensure()
    wish = wf.wish(kind="money", target_amount=Decimal("100"))
    user, org = wf.member()
    client.force_login(user)
    data = {"give_as": f"org:{org.pk}", "show_name": "", "amount": "100"}
    client.post(reverse("wishes:give", args=[wish.pk]), data)
    client.post(reverse("wishes:give", args=[wish.pk]), {**data, "confirm": "100.00"})
    chipin = ChipIn.objects.get(wish=wish)
    cancel_url = stripe_world.boundary.sent[-1]["params"]["cancel_url"]
    assert cancel_url.endswith(f"/my/wishes/{wish.pk}/give/{chipin.pledge_id}/cancelled/")
    # while it is held, the page says so and offers no chip-in
    client.force_login(f.UserFactory())
    page = client.get(f"/wishes/{wish.pk}/").content.decode()
    assert reverse("wishes:give", args=[wish.pk]) not in page
    client.force_login(user)
    client.get(cancel_url.replace("http://testserver", ""))
    chipin.refresh_from_db()
    wish.refresh_from_db()
    assert chipin.status == ChipIn.Status.RELEASED and wish.committed_amount == 0
    session_id = chipin.pledge.checkouts.get().stripe_session_id
    assert stripe_world.boundary.sessions[session_id]["status"] == "expired"
    again = client.post(reverse("wishes:give", args=[wish.pk]), {**data, "confirm": "100.00"})
    assert again.status_code == 302 and ChipIn.objects.filter(wish=wish, status="held").count() == 1


def test_plain_text_mails_are_not_html_escaped(mailoutbox, django_capture_on_commit_callbacks):
    worker = f.worker()
    with django_capture_on_commit_callbacks(execute=True):
        wf.wish(worker=worker, title="<i>x</i> & 'y'", approve=False)
    bodies = "\n".join(m.body for m in mailoutbox)
    assert "<i>x</i> & 'y'" in bodies and "&lt;" not in bodies and "&#x27;" not in bodies


def test_the_reminder_says_less_than_a_day_when_it_is(
    mailoutbox, django_capture_on_commit_callbacks
):
    wish = wf.wish()
    user, org = wf.member()
    claim = claims.claim_create(wish=wish, by=user, organisation=org, show_name=False)
    Claim.objects.filter(pk=claim.pk).update(deadline=timezone.now() + timedelta(hours=5))
    mail.outbox.clear()
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        claims.claims_remind_due()
    subjects = [m.subject for m in mailoutbox if user.email in m.to]
    assert subjects and all("two days" not in s and "两天" not in s for s in subjects)


def test_a_lapsed_claim_is_told_to_the_resident_side_too(
    mailoutbox, django_capture_on_commit_callbacks
):
    worker = f.worker()
    wish = wf.wish(worker=worker)
    user, org = wf.member()
    claim = claims.claim_create(wish=wish, by=user, organisation=org, show_name=False)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        claims.claim_lapse(claim=claim)
    told = {address for m in mailoutbox for address in m.to}
    assert user.email in told and worker.email in told


def test_a_bad_filter_value_drops_only_itself(client):
    content.demo_pages_ensure()
    worker = f.worker()
    food = wf.wish(worker=worker, title="一袋大米", category="food")
    other = wf.wish(worker=worker, title="一个暖水袋", category="daily_goods")
    page = client.get("/wishes/", {"category": "bogus", "q": "大米"}).content.decode()
    assert food.title in page and other.title not in page


def test_history_reasons_read_in_chinese(client):
    worker = f.worker()
    wish = wf.wish(worker=worker, kind="money", target_amount=Decimal("50"))
    Transition.objects.create(
        object_type="wishes.wish",
        object_id=str(wish.pk),
        from_state="open",
        to_state="funded",
        reason="target reached",
    )
    client.force_login(worker)
    page = client.get(reverse("wishes:private", args=[wish.pk])).content.decode()
    assert "target reached" not in page


# --- residents and workers ----------------------------------------------------------------


def test_a_resident_edits_and_withdraws_her_own_wish(client):
    worker = f.worker()
    resident, user = _resident_with_account(worker)
    wish = lifecycle.wish_submit(
        by=user,
        resident=resident,
        title="老花镜",
        story="看报纸看不清。",
        category="health_aid",
        kind="item",
        quantity=1,
        needed_by=timezone.localdate() + timedelta(days=20),
        consent="self",
    )
    client.force_login(user)
    page = client.get(reverse("wishes:private", args=[wish.pk])).content.decode()
    assert reverse("wishes:withdraw", args=[wish.pk]) in page
    needed = (timezone.localdate() + timedelta(days=25)).isoformat()
    assert f'value="{wish.needed_by.isoformat()}"' in page  # an ISO date the browser can read
    client.post(
        reverse("wishes:resubmit", args=[wish.pk]),
        {
            "title": "一副老花镜",
            "story": "看报纸看不清。",
            "needed_by": needed,
            "pseudonym": resident.pseudonym,
            "coarse_area": resident.coarse_area,
        },
    )
    wish.refresh_from_db()
    assert wish.title == "一副老花镜" and wish.status == Wish.Status.SUBMITTED
    client.post(reverse("wishes:withdraw", args=[wish.pk]))
    wish.refresh_from_db()
    assert wish.status == Wish.Status.WITHDRAWN


def test_delivered_wishes_wait_in_the_review_queue_and_the_list_filters(client):
    worker = f.worker()
    wish = wf.wish(worker=worker)
    user, org = wf.member()
    claims.claim_create(wish=wish, by=user, organisation=org, show_name=False)
    lifecycle.wish_mark_delivered(wish=wish, by=user)
    waiting = wf.wish(worker=worker, approve=False, title="待审核的心愿")
    client.force_login(worker)
    queue = client.get(reverse("wishes:review")).content.decode()
    assert wish.title in queue and waiting.title in queue
    listed = client.get(reverse("wishes:my"), {"status": "delivered"}).content.decode()
    assert wish.title in listed and waiting.title not in listed


def test_each_role_starts_with_what_it_does_most(client):
    worker = f.worker()
    resident, user = _resident_with_account(worker)
    client.force_login(user)
    home = client.get(reverse("accounts:dashboard")).content.decode()
    assert home.index(reverse("wishes:new")) < home.index(reverse("account_change_password"))
    assert resident.station.address in home
    client.force_login(f.fund_administrator())
    assert reverse("wishes:new") not in client.get(reverse("accounts:dashboard")).content.decode()

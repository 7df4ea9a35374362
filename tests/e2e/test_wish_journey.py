"""A wish from posting to the thank-you note, in a real browser: a community worker posts it for
a resident, a colleague approves it, a company claims it, the worker marks it delivered and
fulfilled, and an anonymous visitor finds it and the thank-you note on the board."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone, translation
from playwright.sync_api import expect

from accounts import selectors
from portal import content
from tests.accounts import factories as f
from wishes.models import Claim, Wish

pytestmark = pytest.mark.chromium

TITLE = "一台电风扇"
STORY = "夏天太热了，王奶奶家里没有电风扇，希望有一台放在卧室。"
THANKS = "谢谢你们！"


def _label(status: str) -> str:
    with translation.override("zh-hans"):
        return str(Wish.Status(status).label)


def _sign_in(new_page, base: str, user):  # type: ignore[no-untyped-def]
    page = new_page()
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(f.PASSWORD)
    page.locator("#main form").last.locator("button[type=submit]").click()
    if selectors.requires_mfa(user):
        expect(page).to_have_url(f"{base}/accounts/2fa/authenticate/")
        cache.clear()  # a worker signs in twice within one TOTP period; a used code is refused
        page.locator("input[name=code]").fill(f.totp_code(user))
        page.locator("input[name=code]").press("Enter")
    expect(page).to_have_url(f"{base}/my/")
    return page


def _submit(page, form) -> None:  # type: ignore[no-untyped-def]
    """Submit a form, wait for the next page and check the app refused nothing (its error
    messages then explain a failed step)."""
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    errors = page.locator(".messages .message.error, #main .errorlist li").all_inner_texts()
    assert not errors, errors


def _status(page):  # type: ignore[no-untyped-def]
    """The status line of a wish's private or public page."""
    return page.locator("#main p strong").first


@pytest.mark.django_db(transaction=True)
def test_wish_from_posting_to_thank_you(live_server, new_page, settings):  # type: ignore[no-untyped-def]
    settings.WISHPOOL_BOARD_CACHE_SECONDS = 0
    content.demo_pages_ensure()
    base = live_server.url

    worker = f.worker()
    resident = f.resident(by=worker)
    real_name = resident.private.real_name
    colleague = f.worker(station_=worker.station)
    company = f.organisation()
    member = company.memberships.get().user
    needed_by = timezone.localdate() + timedelta(days=20)

    # 1. The worker posts a wish for the resident.
    page = _sign_in(new_page, base, worker)
    page.goto(f"{base}/my/wishes/new/")
    form = page.locator("#main form[enctype='multipart/form-data']")
    form.locator("select[name=resident]").select_option(str(resident.pk))
    form.locator("input[name=consent][value=in_person]").check()
    form.locator("input[name=title]").fill(TITLE)
    form.locator("textarea[name=story]").fill(STORY)
    form.locator("select[name=category]").select_option("daily_goods")
    form.locator("input[name=kind][value=item]").check()
    form.locator("input[name=quantity]").fill("1")
    form.locator("input[name=needed_by]").fill(needed_by.isoformat())
    _submit(page, form)

    wish = Wish.objects.get(title=TITLE)
    expect(page).to_have_url(f"{base}/my/wishes/{wish.pk}/")
    expect(page.locator("#main h1")).to_have_text(TITLE)
    expect(_status(page)).to_have_text(_label("submitted"))
    assert wish.status == Wish.Status.SUBMITTED
    assert wish.resident_id == resident.pk
    assert wish.consent == Wish.Consent.IN_PERSON
    assert wish.quantity == 1
    assert wish.needed_by == needed_by

    # 2. A colleague at the same station approves it from the review queue.
    page = _sign_in(new_page, base, colleague)
    page.goto(f"{base}/my/wishes/review/")
    page.locator(f"#main a[href='/my/wishes/{wish.pk}/']").click()
    expect(page).to_have_url(f"{base}/my/wishes/{wish.pk}/")
    vet = page.locator(f"form[action='/my/wishes/{wish.pk}/vet/']")
    vet.locator("input[name=decision][value=approve]").check()
    _submit(page, vet)
    expect(_status(page)).to_have_text(_label("open"))
    wish.refresh_from_db()
    assert wish.status == Wish.Status.OPEN

    # 3. A member of a company claims it on the public page.
    page = _sign_in(new_page, base, member)
    page.goto(f"{base}/wishes/{wish.pk}/")
    expect(_status(page)).to_have_text(_label("open"))
    _submit(page, page.locator(f"form[action='/my/wishes/{wish.pk}/claim/']"))
    expect(page).to_have_url(f"{base}/wishes/{wish.pk}/")
    expect(_status(page)).to_have_text(_label("claimed"))
    expect(page.locator("#main")).to_contain_text(company.display_name)
    wish.refresh_from_db()
    assert wish.status == Wish.Status.CLAIMED
    claim = Claim.objects.get(wish=wish)
    assert claim.status == Claim.Status.ACTIVE
    assert claim.donor.organisation_id == company.pk

    # 4. The worker marks it delivered, then records the thank-you note.
    page = _sign_in(new_page, base, worker)
    page.goto(f"{base}/my/wishes/{wish.pk}/")
    expect(_status(page)).to_have_text(_label("claimed"))
    _submit(page, page.locator(f"form[action='/my/wishes/{wish.pk}/deliver/']"))
    expect(_status(page)).to_have_text(_label("delivered"))
    fulfil = page.locator(f"form[action='/my/wishes/{wish.pk}/fulfil/']")
    fulfil.locator("textarea[name=thank_you_note]").fill(THANKS)
    _submit(page, fulfil)
    expect(_status(page)).to_have_text(_label("fulfilled"))

    # 5. An anonymous visitor finds it on the board and reads the thank-you note.
    page = new_page()
    page.goto(f"{base}/wishes/?status=fulfilled")
    card = page.locator(".wish-card", has=page.locator(f"a[href='/wishes/{wish.pk}/']"))
    expect(card).to_have_count(1)
    expect(card).to_contain_text(TITLE)
    expect(card).to_have_class("wish-card status-fulfilled")
    board_html = page.content()
    card.locator(f"a[href='/wishes/{wish.pk}/']").click()
    expect(page).to_have_url(f"{base}/wishes/{wish.pk}/")
    expect(_status(page)).to_have_text(_label("fulfilled"))
    expect(page.locator("section.thanks blockquote")).to_have_text(THANKS)
    detail_html = page.content()

    # The resident's private details never reach the public pages.
    for html in (board_html, detail_html):
        assert TITLE in html
        assert real_name not in html
        assert resident.private.phone not in html
        assert resident.private.address not in html

    wish.refresh_from_db()
    assert wish.status == Wish.Status.FULFILLED
    assert wish.thank_you_note == THANKS
    claims = list(Claim.objects.filter(wish=wish))
    assert len(claims) == 1
    assert claims[0].status == Claim.Status.DELIVERED

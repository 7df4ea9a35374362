"""A wheelchair's round trip in a real browser: a community worker asks for one for a resident
without an account, takes the fee and deposit in cash, hands it out by typing its tag, takes
it back damaged (with a photo), keeps part of the deposit with a reason, passes inspection;
the next on the wait list (with an account) gets the offer e-mail and accepts it."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from accounts import services as account_services
from lending import services
from lending.models import Item, Loan, WaitlistEntry
from portal import content
from tests.accounts import factories as f
from tests.e2e.test_wish_journey import _sign_in, _submit
from tests.lending import factories as lf

pytestmark = [pytest.mark.chromium, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def photo(tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "damage.png"
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (180, 40, 40)).save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


def test_a_wheelchair_goes_out_comes_back_damaged_and_is_offered_to_the_next(
    live_server, new_page, photo
):  # type: ignore[no-untyped-def]
    content.demo_pages_ensure()
    base = live_server.url
    worker = f.worker()
    type_ = lf.equipment_type()
    (item,) = lf.items(type_, worker.station)
    no_account = f.resident(by=worker, pseudonym="周爷爷", real_name="周德明")
    today = timezone.localdate()

    # 1. The worker asks for the wheelchair for 周爷爷, who has no account.
    page = _sign_in(new_page, base, worker)
    page.goto(f"{base}/my/lending/request/")
    form = page.locator("#main form").last
    form.locator("select[name=resident]").select_option(str(no_account.pk))
    form.locator("select[name=type]").select_option(type_.slug)
    form.locator("input[name=starts_on]").fill(today.isoformat())
    form.locator("input[name=ends_on]").fill((today + timedelta(days=6)).isoformat())
    _submit(page, form)
    loan = Loan.objects.get(resident=no_account)
    assert loan.item == item and loan.amount_due == 321  # 7 days × ¥3 + ¥300 deposit

    # Meanwhile 王奶奶, who has an account, asks for one too and joins the wait list.
    waiting_user = f.UserFactory(kind="resident")
    waiting = account_services.resident_link_user(
        worker=worker, resident=f.resident(by=worker), email=waiting_user.email
    )
    entry = services.loan_request(
        resident=waiting,
        type=type_,
        station=worker.station,
        starts_on=today + timedelta(days=1),
        ends_on=today + timedelta(days=5),
        by=waiting_user,
    )
    assert isinstance(entry, WaitlistEntry)

    # 2. At the station: the tag typed into the box, cash taken, handed out.
    page.goto(f"{base}/my/lending/station/")
    box = page.locator("#main form").first
    box.locator("input[name=tag]").fill(item.tag.lower())
    _submit(page, box)
    expect(page).to_have_url(f"{base}/my/lending/items/{item.tag}/")
    _submit(page, page.locator("form:has(input[value=pay_cash])"))
    _submit(page, page.locator("form:has(input[value=checkout])"))
    item.refresh_from_db()
    assert item.state == Item.State.ON_LOAN

    # 3. It comes back with a broken brake: graded, photographed, deposit partly kept.
    back = page.locator("form:has(input[value=checkin])")
    back.locator("input[name=condition][value=damaged]").check()
    back.locator("input[name=note]").fill("刹车坏了")
    back.locator("input[name=photos]").set_input_files(str(photo))
    _submit(page, back)
    loan.refresh_from_db()
    assert loan.status == Loan.Status.RETURNED and len(loan.return_photos) == 1
    deposit = page.locator("form:has(input[value=deposit])")
    deposit.locator("input[name=kept]").fill("60")
    deposit.locator("input[name=reason]").fill("更换刹车片")
    _submit(page, deposit)
    loan.refresh_from_db()
    assert (loan.deposit_kept, loan.deposit_returned) == (60, 240)

    # 4. Inspection passes: the first in line is offered it, by e-mail.
    mail.outbox.clear()
    inspect = page.locator("form:has(input[value=inspect])")
    inspect.locator("input[name=result][value=pass]").check()
    _submit(page, inspect)
    entry.refresh_from_db()
    item.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.OFFERED and item.state == Item.State.RESERVED
    (offer,) = [m for m in mail.outbox if waiting_user.email in m.to]
    assert "/my/lending/" in offer.body

    # 5. She signs in and accepts it.
    mine = _sign_in(new_page, base, waiting_user)
    mine.goto(f"{base}/my/lending/")
    _submit(mine, mine.locator("form:has(input[value=accept])"))
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.SERVED and entry.loan.item == item
    expect(mine.locator("#main")).to_contain_text(item.tag)

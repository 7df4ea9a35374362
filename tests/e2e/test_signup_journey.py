"""A person signs up, verifies their e-mail, signs in and switches language, in a real browser."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from playwright.sync_api import expect

from accounts.models import User
from portal import content

pytestmark = pytest.mark.chromium

EMAIL = "lin.journey@example.org"
PASSWORD = "Lantern-harbour-4471-kite"
NAME = "林小雨"
CONFIRM_LINK = re.compile(r"https?://[^\s/]+(/(?:en/)?accounts/confirm-email/[^\s/]+/)")


def _submit(page) -> None:  # type: ignore[no-untyped-def]
    page.locator("#main form").last.locator("button[type=submit]").click()


@pytest.mark.django_db(transaction=True)
def test_signup_verify_sign_in_and_switch_language(live_server, new_page):  # type: ignore[no-untyped-def]
    content.demo_pages_ensure()
    base = live_server.url
    mail.outbox.clear()

    # Sign up (the default language, zh-hans, has no URL prefix).
    page = new_page()
    page.goto(f"{base}/accounts/signup/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    # Step 1: what the person signs up as; step 2 asks only what applies.
    donor = page.locator("input[name=kind][value=donor]")
    donor.check()
    expect(donor).to_be_checked()
    expect(page.locator("input[name=email]")).to_have_count(0)
    _submit(page)
    expect(page).to_have_url(f"{base}/accounts/signup/?kind=donor")
    expect(page.locator("input[name=legal_name]")).to_have_count(0)
    page.locator("input[name=email]").fill(EMAIL)
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    page.locator("input[name=full_name]").fill(NAME)
    _submit(page)

    # "We have sent you a verification e-mail."
    expect(page).to_have_url(f"{base}/accounts/confirm-email/")
    expect(page.locator("#main h1")).to_be_visible()
    user = User.objects.get(email=EMAIL)
    assert user.full_name == NAME
    assert user.kind == User.Kind.DONOR
    assert not EmailAddress.objects.get(user=user, email=EMAIL).verified

    assert len(mail.outbox) == 1, [m.subject for m in mail.outbox]
    message = mail.outbox[0]
    assert message.to == [EMAIL]
    found = CONFIRM_LINK.search(message.body)
    assert found, message.body
    confirm_url = base + found.group(1)  # the mail's domain may be testserver/example.com

    # Open the link and confirm.
    page.goto(confirm_url)
    expect(page.locator("#main")).to_contain_text(EMAIL)
    _submit(page)
    expect(page).not_to_have_url(confirm_url)
    assert EmailAddress.objects.get(user=user, email=EMAIL).verified

    # Sign in from a fresh browser (no cookies from the sign-up).
    page = new_page()
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=login]").fill(EMAIL)
    page.locator("input[name=password]").fill(PASSWORD)
    _submit(page)
    expect(page).to_have_url(f"{base}/my/")
    expect(page.locator("#main")).to_contain_text(EMAIL)
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    # Switch to English and back.
    languages = page.locator("nav.lang")
    languages.get_by_role("link", name="English", exact=True).click()
    expect(page).to_have_url(re.compile("^" + re.escape(f"{base}/en/")))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#main h1")).to_contain_text("Hello")
    expect(page.locator("#main")).to_contain_text(EMAIL)
    expect(languages.locator('a[aria-current="true"]')).to_have_text("English")

    languages.get_by_role("link", name="简体中文", exact=True).click()
    expect(page).to_have_url(f"{base}/my/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("#main")).to_contain_text(EMAIL)
    expect(languages.locator('a[aria-current="true"]')).to_have_text("简体中文")

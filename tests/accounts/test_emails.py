"""allauth's account mails speak in the fund's name, in the recipient's language."""

import pytest
from django.conf import settings as django_settings
from django.utils import translation

from tests.accounts import factories as f

pytestmark = pytest.mark.django_db

SIGNUP = {"password1": "Lantern-harbour-4471", "password2": "Lantern-harbour-4471"}


def _signup(client, prefix: str, email: str):  # type: ignore[no-untyped-def]
    data = {**SIGNUP, "email": email, "full_name": "李阿姨", "kind": "donor"}
    response = client.post(f"{prefix}/accounts/signup/", data)
    assert response.status_code == 302


def _in(language: str, text: str, **params: str) -> str:
    with translation.override(language):
        return translation.gettext(text) % params


def _lines(body: str) -> list[str]:
    return [line for line in body.splitlines() if line.strip()]


def test_signup_confirmation_in_english_names_the_site_not_the_host(client, mailoutbox):
    _signup(client, "/en", "new-en@example.org")
    (mail,) = mailoutbox
    assert mail.to == ["new-en@example.org"]
    assert mail.subject == "[Wishpool] Please confirm your e-mail address"
    lines = _lines(mail.body)
    assert lines[0] == "Hello from Wishpool!"
    assert lines[1] == "Someone, probably you, signed up on Wishpool with this e-mail address."
    assert lines[2] == "To confirm the address, open this link:"
    assert lines[3].startswith("http://testserver/en/accounts/confirm-email/")
    assert lines[-2:] == ["Thank you for using Wishpool!", django_settings.SITE_URL]
    assert "testserver" not in "\n".join(lines[:3] + lines[4:])


def test_signup_confirmation_in_chinese_names_the_site_not_the_host(client, mailoutbox):
    _signup(client, "", "new-zh@example.org")
    (mail,) = mailoutbox
    assert mail.subject == "[心愿池] " + _in("zh-hans", "Please confirm your e-mail address")
    lines = _lines(mail.body)
    assert lines[0] == _in("zh-hans", "Hello from %(fund_name)s!", fund_name="心愿池")
    assert lines[1] == _in(
        "zh-hans",
        "Someone, probably you, signed up on %(fund_name)s with this e-mail address.",
        fund_name="心愿池",
    )
    assert lines[3].startswith("http://testserver/accounts/confirm-email/")
    # Not allauth's own wording ("来自…的 Hello!", "Email地址").
    for text in (mail.subject, mail.body):
        assert "Hello!" not in text and "Email" not in text


@pytest.mark.parametrize(("prefix", "language"), [("/en", "en"), ("", "zh-hans")])
def test_the_fund_name_is_used_when_one_is_set(client, mailoutbox, settings, prefix, language):
    settings.WISHPOOL_FUND_NAME = "社区爱心基金"
    _signup(client, prefix, "named@example.org")
    (mail,) = mailoutbox
    lines = _lines(mail.body)
    assert lines[0] == _in(language, "Hello from %(fund_name)s!", fund_name="社区爱心基金")
    assert "社区爱心基金" in lines[1]
    assert "心愿池" not in mail.body and "Wishpool" not in mail.body


def test_an_added_address_is_confirmed_in_the_account_holders_language(client, mailoutbox):
    user = f.UserFactory()
    user.language = "en"
    user.save(update_fields=["language"])
    client.force_login(user)
    response = client.post("/accounts/email/", {"email": "second@example.org", "action_add": ""})
    assert response.status_code == 302
    (mail,) = mailoutbox
    assert mail.to == ["second@example.org"]
    assert mail.subject == "[Wishpool] Please confirm your e-mail address"
    lines = _lines(mail.body)
    assert lines[0] == "Hello from Wishpool!"
    assert lines[1] == (
        "Someone, probably you, added this e-mail address to an account on Wishpool."
    )

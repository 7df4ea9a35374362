"""Only a company's administrators invite colleagues; the invitation, on its page and in its
e-mail, names the company."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts import services
from accounts.models import Invitation, Membership
from tests.accounts import factories as f

pytestmark = pytest.mark.django_db


def _company_with_member():  # type: ignore[no-untyped-def]
    org = f.organisation(name="上海梅园科技有限公司")
    owner = org.memberships.get().user
    member = f.UserFactory()
    invitation = services.organisation_invite(
        organisation=org, invited_by=owner, email=member.email
    )
    services.invitation_accept(token=invitation.token, user=member)
    assert org.memberships.get(user=member).role == Membership.Role.MEMBER
    return org, owner, member


def _english(url: str) -> str:
    """The English address of a page, whatever language an earlier test left active."""
    return url if url.startswith("/en/") else "/en" + url


def test_a_member_who_is_not_an_administrator_cannot_invite(client, mailoutbox):
    org, _owner, member = _company_with_member()
    client.force_login(member)
    url = reverse("accounts:organisation", args=[org.pk])
    page = client.get(url).content.decode()
    assert 'name="email"' not in page
    assert (
        "Only the company's administrators can invite colleagues"
        in client.get(_english(url)).content.decode()
    )
    response = client.post(url, {"email": "friend@example.org"})
    assert response.status_code == 403
    assert not Invitation.objects.filter(email="friend@example.org").exists()
    assert mailoutbox == []
    with pytest.raises(PermissionDenied):
        services.organisation_invite(organisation=org, invited_by=member, email="a@example.org")


def test_the_administrator_invites_and_the_email_names_the_company(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    org, owner, _member = _company_with_member()
    client.force_login(owner)
    url = reverse("accounts:organisation", args=[org.pk])
    assert 'name="email"' in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"email": "friend@example.org"})
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="friend@example.org")
    mail = mailoutbox[-1]
    assert mail.to == ["friend@example.org"]
    assert org.display_name in mail.subject and org.display_name in mail.body
    assert invitation.token in mail.body


def test_the_invitation_page_names_the_company(client):
    org, owner, _member = _company_with_member()
    invitation = services.organisation_invite(
        organisation=org, invited_by=owner, email="friend@example.org"
    )
    client.force_login(f.UserFactory(email="friend@example.org"))
    url = reverse("accounts:invitation_accept", args=[invitation.token])
    page = client.get("/en" + url).content.decode()
    assert org.display_name in page and "上海梅园科技有限公司" in page
    assert owner.get_full_name() in page
    response = client.post(url)
    assert response.status_code == 302
    assert org.memberships.filter(user__email="friend@example.org").exists()


def test_an_unknown_invitation_says_so(client):
    client.force_login(f.UserFactory())
    response = client.get(_english(reverse("accounts:invitation_accept", args=["no-such-token"])))
    assert response.status_code == 404
    assert "This invitation does not exist." in response.content.decode()
    assert 'method="post"' not in response.content.decode().split('id="main"')[-1]

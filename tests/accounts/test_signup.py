import pytest
from django.urls import reverse

from accounts.models import Organisation, User

pytestmark = pytest.mark.django_db

BASE = {
    "email": "new@example.org",
    "password1": "Lantern-harbour-4471",
    "password2": "Lantern-harbour-4471",
}


def test_company_representative_signup_creates_the_company(client, mailoutbox):
    data = {
        **BASE,
        "full_name": "周经理",
        "kind": "company",
        "legal_name": "上海新桥有限公司",
        "display_name": "新桥",
        "contact_phone": "021-1234 5678",
    }
    response = client.post(reverse("account_signup"), data)
    assert response.status_code == 302
    user = User.objects.get(email="new@example.org")
    assert user.kind == User.Kind.COMPANY
    org = Organisation.objects.get(legal_name="上海新桥有限公司")
    assert org.memberships.get().user == user and org.memberships.get().role == "admin"
    assert len(mailoutbox) == 1  # verification is mandatory
    assert "_auth_user_id" not in client.session


def test_company_fields_are_required_for_a_company(client):
    response = client.post(
        reverse("account_signup"), {**BASE, "full_name": "周", "kind": "company"}
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="new@example.org").exists()
    assert response.context["form"].errors["legal_name"]


def test_resident_signup_waits_for_a_worker_to_link_it(client):
    client.post(reverse("account_signup"), {**BASE, "full_name": "王秀英", "kind": "resident"})
    user = User.objects.get(email="new@example.org")
    assert user.kind == User.Kind.RESIDENT
    assert not hasattr(user, "resident") or user.resident is None


def test_bad_account_type_is_refused_in_the_users_language(client):
    response = client.post(reverse("account_signup"), {**BASE, "full_name": "x", "kind": "staff"})
    assert response.status_code == 200
    assert not User.objects.filter(email="new@example.org").exists()

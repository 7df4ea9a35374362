"""Who may see what: company data, private resident records."""

import pytest
from django.urls import reverse

from accounts.models import User
from tests.accounts import factories as f

pytestmark = pytest.mark.django_db


def test_member_sees_own_company_but_not_another(client):
    a = f.organisation(name="甲公司")
    b = f.organisation(name="乙公司")
    member_a = a.memberships.get().user
    client.force_login(member_a)
    assert client.get(reverse("accounts:organisation", args=[a.pk])).status_code == 200
    response = client.get(reverse("accounts:organisation", args=[b.pk]))
    assert response.status_code == 404
    assert "乙公司" not in response.content.decode()


def test_member_cannot_invite_into_another_company(client, mailoutbox):
    a = f.organisation()
    b = f.organisation()
    client.force_login(a.memberships.get().user)
    response = client.post(
        reverse("accounts:organisation", args=[b.pk]), {"email": "x@example.org"}
    )
    assert response.status_code == 404
    assert not b.invitations.exists()
    assert mailoutbox == []


def test_worker_reads_own_station_resident_but_not_another_station(client):
    station_a, station_b = f.station("甲站"), f.station("乙站")
    worker_a, worker_b = f.worker(station_a), f.worker(station_b)
    resident_b = f.resident(by=worker_b, real_name="赵秘密")
    resident_a = f.resident(by=worker_a, real_name="钱可见")
    client.force_login(worker_a)
    own = client.get(reverse("accounts:resident", args=[resident_a.pk]))
    assert own.status_code == 200 and "钱可见" in own.content.decode()
    other = client.get(reverse("accounts:resident", args=[resident_b.pk]))
    assert other.status_code == 404
    assert "赵秘密" not in other.content.decode()
    listing = client.get(reverse("accounts:residents")).content.decode()
    assert resident_a.pseudonym in listing
    assert "乙站" not in listing


def test_worker_cannot_write_to_another_stations_resident(client):
    worker_a = f.worker(f.station("甲站"))
    resident_b = f.resident(by=f.worker(f.station("乙站")))
    client.force_login(worker_a)
    response = client.post(
        reverse("accounts:resident", args=[resident_b.pk]),
        {"hardship-category": "dibao", "hardship-proof_status": "verified"},
    )
    assert response.status_code == 404
    assert not resident_b.private.hardships.exists()


def test_resident_reads_own_record_but_not_anothers(client):
    worker = f.worker()
    own = f.resident(by=worker, real_name="王秀英")
    other = f.resident(by=worker, pseudonym="李爷爷", real_name="李建国")
    user = f.UserFactory(kind=User.Kind.RESIDENT)
    from accounts import services

    services.resident_link_user(worker=worker, resident=own, email=user.email)
    client.force_login(user)
    assert "王秀英" in client.get(reverse("accounts:resident", args=[own.pk])).content.decode()
    response = client.get(reverse("accounts:resident", args=[other.pk]))
    assert response.status_code == 404
    assert "李建国" not in response.content.decode()
    assert client.get(reverse("accounts:residents")).status_code == 403


def test_fund_administrator_reads_every_station(client):
    resident = f.resident(real_name="孙某某")
    client.force_login(f.fund_administrator())
    response = client.get(reverse("accounts:resident", args=[resident.pk]))
    assert response.status_code == 200
    assert "孙某某" in response.content.decode()


def test_donor_and_anonymous_cannot_read_private_records(client):
    resident = f.resident(real_name="周隐私")
    url = reverse("accounts:resident", args=[resident.pk])
    assert client.get(url).status_code == 302  # to sign-in
    client.force_login(f.UserFactory())
    response = client.get(url)
    assert response.status_code == 404
    assert "周隐私" not in response.content.decode()


def test_public_pages_never_show_private_fields(client):
    from portal import content

    content.demo_pages_ensure()
    resident = f.resident(real_name="吴真名", address="秘密路 1 号", phone="13900000000")
    for url in ["/", "/en/", "/news/"]:
        body = client.get(url).content.decode()
        for secret in (
            resident.private.real_name,
            resident.private.address,
            resident.private.phone,
        ):
            assert secret not in body

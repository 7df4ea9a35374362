"""A row's id from a request: anything implausible names no row instead of an error page."""

import pytest

from core.params import row_id


def test_row_ids_from_requests():
    assert row_id("42") == 42
    for bad in (None, "", "x", "-1", "4.2", "9" * 30):
        assert row_id(bad) == 0


@pytest.mark.django_db
def test_an_absurd_id_on_a_staff_screen_is_a_message_not_an_error(client):
    from tests.donations.test_staff_area import _admin

    client.force_login(_admin())
    response = client.post("/cms/approvals/", {"organisation": "9" * 30}, follow=True)
    assert response.status_code == 200

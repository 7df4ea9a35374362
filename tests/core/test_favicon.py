"""Browsers ask for /favicon.ico on every site: it answers with the icon, not a 404."""

import pytest

from portal import content


@pytest.mark.django_db
def test_the_favicon_is_found_and_linked(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"].endswith("favicon.ico")
    content.demo_pages_ensure()
    assert b'rel="icon"' in client.get("/").content

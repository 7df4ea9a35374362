"""The board's counts are kept per generation of the board (they do not grow with the table on
every request) and are taken afresh the moment a wish changes, once that change commits."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal import content
from tests.wishes import factories as wf
from wishes import selectors
from wishes.models import Wish
from wishes.services import lifecycle

pytestmark = pytest.mark.django_db(transaction=True)


def test_counts_are_kept_until_a_wish_changes(client, settings):
    settings.WISHPOOL_BOARD_COUNT_SECONDS = 600
    settings.WISHPOOL_BOARD_CACHE_SECONDS = 0  # the page itself is drawn every time
    content.demo_pages_ensure()
    first = wf.wish(title="心愿一号")
    client.get("/en/wishes/")  # counts taken and kept
    with CaptureQueriesContext(connection) as seen:
        body = client.get("/en/wishes/").content.decode()
    assert "心愿一号" in body
    assert not [q for q in seen.captured_queries if "COUNT(" in q["sql"]]
    assert selectors.board_figures()["open"] == 1
    # a new wish commits: a new generation, so the counts and the list are fresh at once
    wf.wish(title="心愿二号")
    with CaptureQueriesContext(connection) as seen:
        body = client.get("/en/wishes/").content.decode()
    assert "心愿二号" in body and "心愿一号" in body
    assert [q for q in seen.captured_queries if "COUNT(" in q["sql"]]
    assert selectors.board_figures()["open"] == 2
    # and a wish leaving the board (withdrawn) is counted out at once
    lifecycle.wish_withdraw(
        wish=Wish.objects.get(pk=first.pk), by=first.posted_by, reason="不需要了"
    )
    assert selectors.board_count() == 1 and selectors.board_figures()["open"] == 1
    assert "心愿一号" not in client.get("/en/wishes/").content.decode()

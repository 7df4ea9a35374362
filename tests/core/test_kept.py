"""Kept values: one per name and generation, under keys every cache backend accepts."""

import warnings

import pytest
from django.core.cache import CacheKeyWarning

from core.kept import generation_next, kept


@pytest.fixture(autouse=True)
def _locmem(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.mark.parametrize(
    "name",
    [
        "published_flows:[('fund_id', None), ('months', 12)]",  # spaces
        "search:轮椅\n",  # a control character
        "filters:" + "x" * 200,  # long
    ],
)
def test_any_name_makes_a_key_the_cache_accepts_and_keeps_its_value(name):
    calls = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheKeyWarning)
        assert kept(generation_key="test:gen", name=name, seconds=60, compute=compute) == 1
        assert kept(generation_key="test:gen", name=name, seconds=60, compute=compute) == 1
        generation_next("test:gen")
        assert kept(generation_key="test:gen", name=name, seconds=60, compute=compute) == 2


def test_two_long_names_sharing_a_start_do_not_share_a_value():
    start = "filters:" + "x" * 200
    first = kept(generation_key="test:gen2", name=start + "a", seconds=60, compute=lambda: "a")
    second = kept(generation_key="test:gen2", name=start + "b", seconds=60, compute=lambda: "b")
    assert (first, second) == ("a", "b")

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


def test_a_value_comes_back_with_its_generation_in_one_trip(monkeypatch):
    """The generation and the value are read together; a value of an older generation is
    never returned, whatever the cache still holds."""
    from django.core.cache import caches

    backend = caches["default"]
    trips: list[str] = []
    get, get_many = backend.get, backend.get_many

    def one(*args, **kwargs):  # type: ignore[no-untyped-def]
        trips.append("get")
        return get(*args, **kwargs)

    def many(keys):  # type: ignore[no-untyped-def]
        trips.append("get_many")
        monkeypatch.setattr(backend, "get", get)  # locmem's get_many calls get: not a trip
        try:
            return get_many(keys)
        finally:
            monkeypatch.setattr(backend, "get", one)

    monkeypatch.setattr(backend, "get", one)
    monkeypatch.setattr(backend, "get_many", many)
    assert kept(generation_key="test:gen3", name="n", seconds=60, compute=lambda: "old") == "old"
    trips.clear()
    assert kept(generation_key="test:gen3", name="n", seconds=60, compute=lambda: "new") == "old"
    assert trips == ["get_many"]
    generation_next("test:gen3")
    assert kept(generation_key="test:gen3", name="n", seconds=60, compute=lambda: "new") == "new"

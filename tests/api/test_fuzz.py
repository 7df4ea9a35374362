"""Schema-driven fuzzing of every open-data endpoint (schemathesis, from the published
OpenAPI schema): valid and invalid parameters alike never give a 500, every answer matches
the schema, and no answer carries a private field."""

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.api.test_open_data import REAL_NAME, SECRET_COMPANY, _known

SECRETS = (SECRET_COMPANY, REAL_NAME, "dibao", "低保", "13800000001", "梅园路", "王秀英")


@pytest.fixture(autouse=True)
def _data(db, settings):  # type: ignore[no-untyped-def]
    settings.WISHPOOL_API_RATE = "1000000/min"  # the fuzzer is one client asking very often
    settings.WISHPOOL_API_CACHE_SECONDS = 0
    _known()
    # As Django's test client does: the request's end must not close the test's connection
    # (and with it the transaction holding the data).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _schema():  # type: ignore[no-untyped-def]
    """The schema /api/v1/schema/ publishes (the same generator, run at collection, where
    no database is open), called through the WSGI app."""
    import json

    from drf_spectacular.generators import SchemaGenerator
    from rest_framework.renderers import JSONRenderer

    from config.wsgi import application

    raw = SchemaGenerator(urlconf=django_settings.SPECTACULAR_SETTINGS["SERVE_URLCONF"]).get_schema(
        request=None, public=True
    )
    loaded = schemathesis.openapi.from_dict(json.loads(JSONRenderer().render(raw)))
    loaded.app = application
    return loaded


schema = _schema()


@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_endpoint_fuzzed(case):  # type: ignore[no-untyped-def]
    response = case.call()
    assert response.status_code < 500, response.text
    body = response.text
    for secret in SECRETS:
        assert secret not in body, f"{secret!r} in {case.method} {case.formatted_path}"
    # A well-formed fund code that names no published fund, or an end before the start, is
    # refused with a 400 by design, so "schema-valid data must be accepted" does not apply.
    case.validate_response(response, excluded_checks=[positive_data_acceptance])

"""The OpenAPI schema covers the open data only: Wagtail's own admin API (also built on
Django REST framework) is not ours to publish, nor checked by `check --deploy`."""

from typing import Any

from drf_spectacular.generators import SchemaGenerator


class OpenDataSchemaGenerator(SchemaGenerator):
    def __init__(self, *args: Any, urlconf: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, urlconf=urlconf or "api.urls", **kwargs)

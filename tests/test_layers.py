"""The layers hold in the migrations too, and the payment path finds domains only through
the purpose registry (import-linter checks the Python imports in `make lint`)."""

import pytest
from django.db.migrations.loader import MigrationLoader

LAYER = {"core": 0, "accounts": 1, "charity": 2, "donations": 3, "wishes": 4, "lending": 4}
LAYER["reports"] = 5
LAYER["portal"] = 6
LAYER["api"] = 6


def test_no_migration_depends_on_a_higher_layer_or_on_the_other_domain():
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    checked = 0
    for app, name in graph.nodes:
        if app not in LAYER:
            continue
        for parent_app, parent_name in graph.node_map[(app, name)].parents:
            parent_app = parent_app.app_label if hasattr(parent_app, "app_label") else parent_app
            if parent_app not in LAYER or parent_app == app:
                continue
            checked += 1
            assert LAYER[parent_app] < LAYER[app], (
                f"{app}.{name} depends on {parent_app}.{parent_name}, a layer above or beside it"
            )
    assert checked > 10  # the graph really was read


def test_the_wish_purpose_is_registered_and_unknown_purposes_are_refused():
    from charity.purposes import purpose_for, purpose_keys
    from wishes.purposes import WishPurpose

    assert isinstance(purpose_for("wish"), WishPurpose)
    assert "wish" in purpose_keys()
    with pytest.raises(LookupError):
        purpose_for("no-such-purpose")

"""Helpers for migrations that move a model's table from one app to another.

When the layers were drawn (docs/decisions/0008-layers-and-purposes.md) some models moved
app. A database made before keeps the rows: the new app's migration renames the old table
and relabels its content type (so permissions and Wagtail pages keep pointing at it); a new
database simply creates the table.
"""

from typing import Any


def table_exists(schema_editor: Any, name: str) -> bool:
    return name in schema_editor.connection.introspection.table_names()


def table_adopt(apps: Any, schema_editor: Any, *, model: str, old_table: str) -> bool:
    """Rename ``old_table`` to the model's table if only the old one exists; True if renamed."""
    app_label, model_name = model.split(".")
    Model = apps.get_model(app_label, model_name)
    new_table = Model._meta.db_table
    if not table_exists(schema_editor, old_table) or table_exists(schema_editor, new_table):
        return False
    schema_editor.alter_db_table(Model, old_table, new_table)
    return True


def content_type_relabel(apps: Any, *, old_app: str, new_app: str, model: str) -> None:
    """Point the old content type at the model's new app, unless the new one already exists."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    if ContentType.objects.filter(app_label=new_app, model=model).exists():
        return
    ContentType.objects.filter(app_label=old_app, model=model).update(app_label=new_app)

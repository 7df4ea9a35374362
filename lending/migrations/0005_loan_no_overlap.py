"""Two loans holding one item never overlap, on PostgreSQL by the database itself.

An exclusion constraint (btree_gist) on the item and the closed date range of every loan
that holds its item (reserved or on loan). SQLite has no such constraint: there
lending.services checks the same under the item's row lock, as it does everywhere.
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE lending_loan ADD CONSTRAINT loan_no_overlap EXCLUDE USING gist (
    item_id WITH =,
    daterange(starts_on, ends_on, '[]') WITH &&
) WHERE (status IN ('reserved', 'on_loan'));
"""
DROP = "ALTER TABLE lending_loan DROP CONSTRAINT IF EXISTS loan_no_overlap;"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("lending", "0004_equipment_items_loans")]
    operations = [migrations.RunPython(create, drop)]

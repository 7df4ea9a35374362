"""Who made a change is a plain user id (core imports no app): drop the old foreign key.

Databases made before 0002 was edited have a foreign-key constraint from by_id to the user
table on PostgreSQL; a new database never had one. SQLite keeps its table as it is (the
constraint there is never violated: users are never deleted).
"""

from django.db import migrations


def drop_user_constraint(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "core_transition")
    for name, info in constraints.items():
        if info["foreign_key"] and info["columns"] == ["by_id"]:
            schema_editor.execute(
                f"ALTER TABLE core_transition DROP CONSTRAINT {schema_editor.quote_name(name)}"
            )


class Migration(migrations.Migration):
    dependencies = [("core", "0002_transition")]
    operations = [migrations.RunPython(drop_user_constraint, migrations.RunPython.noop)]

"""Warehouses belong to accounts (a station's storeroom, or the main one).

A database made before the layers were drawn has them in ``lending_warehouse``: rename it
(foreign keys follow the table) and relabel its content type. Then make sure the one main
warehouse exists (it used to be created by lending/0002_main_warehouse).
"""

from django.db import migrations

from core.migration_ops import content_type_relabel, table_adopt


def create_main(apps, schema_editor):
    Warehouse = apps.get_model("accounts", "Warehouse")
    if not Warehouse.objects.filter(is_main=True).exists():
        Warehouse.objects.create(name="总仓 (Main warehouse)", is_main=True)


def adopt(apps, schema_editor):
    if table_adopt(apps, schema_editor, model="accounts.Warehouse", old_table="lending_warehouse"):
        content_type_relabel(apps, old_app="lending", new_app="accounts", model="warehouse")
    create_main(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_roles"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(adopt, migrations.RunPython.noop)]

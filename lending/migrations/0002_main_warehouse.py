"""There is exactly one main warehouse: created here, never removed by any service."""

from django.db import migrations


def create_main(apps, schema_editor):
    Warehouse = apps.get_model("lending", "Warehouse")
    if not Warehouse.objects.filter(is_main=True).exists():
        Warehouse.objects.create(name="总仓 (Main warehouse)", is_main=True)


class Migration(migrations.Migration):
    dependencies = [("lending", "0001_initial")]
    operations = [migrations.RunPython(create_main, migrations.RunPython.noop)]

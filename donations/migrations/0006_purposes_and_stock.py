"""Pledges name what they are for by a purpose (charity.purposes) instead of a wish; goods
intakes point at the stock lot they filled, now kept by charity.

In a database made before the layers were drawn: a pledge's wish becomes the purpose
("wish", id), and the rows of lending_stocklot move into charity_stocklot (same ids, tied to
the ledger entry that booked them), after which the old table is dropped.
"""

from datetime import UTC

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils.dateparse import parse_datetime

from core.migration_ops import content_type_relabel, table_exists


def purposes_from_wishes(apps, schema_editor):
    Pledge = apps.get_model("donations", "Pledge")
    Pledge.objects.filter(wish__isnull=False).update(
        purpose_key="wish", purpose_id=models.F("wish")
    )


def stock_from_lending(apps, schema_editor):
    if not table_exists(schema_editor, "lending_stocklot"):
        return
    StockLot = apps.get_model("charity", "StockLot")
    GoodsIntake = apps.get_model("donations", "GoodsIntake")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, warehouse_id, description, quantity_received, quantity_on_hand,"
            " unit_value, intake_id, created_at FROM lending_stocklot ORDER BY id"
        )
        rows = cursor.fetchall()
    for lot_id, warehouse_id, description, received, on_hand, value, intake_id, at in rows:
        intake = GoodsIntake.objects.select_related("donation").get(pk=intake_id)
        lot = StockLot.objects.create(
            id=lot_id,
            warehouse_id=warehouse_id,
            description=description,
            quantity_received=received,
            quantity_on_hand=on_hand,
            unit_value=value,
            entry_id=intake.donation.entry_id,
        )
        if isinstance(at, str):  # SQLite returns text
            at = parse_datetime(at)
        if at is not None and at.tzinfo is None:  # stored in UTC (USE_TZ)
            at = at.replace(tzinfo=UTC)
        StockLot.objects.filter(pk=lot.pk).update(created_at=at)  # auto_now_add on create
        GoodsIntake.objects.filter(pk=intake_id).update(stock_lot=lot)
    schema_editor.execute("DROP TABLE lending_stocklot")
    content_type_relabel(apps, old_app="lending", new_app="charity", model="stocklot")
    if schema_editor.connection.vendor == "postgresql" and rows:
        schema_editor.execute(
            "SELECT setval(pg_get_serial_sequence('charity_stocklot', 'id'),"
            " (SELECT MAX(id) FROM charity_stocklot))"
        )


class Migration(migrations.Migration):

    dependencies = [
        ('charity', '0008_stock_purposes_decisions'),
        ('donations', '0005_verbose_names'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='goodsintake',
            name='stock_lot',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='intake', to='charity.stocklot', verbose_name='stock lot'),
        ),
        migrations.AddField(
            model_name='pledge',
            name='purpose_id',
            field=models.PositiveBigIntegerField(blank=True, null=True, verbose_name='purpose id'),
        ),
        migrations.AddField(
            model_name='pledge',
            name='purpose_key',
            field=models.CharField(blank=True, max_length=20, verbose_name='purpose'),
        ),
        migrations.RunPython(purposes_from_wishes, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='pledge',
            name='wish',
        ),
        migrations.RunPython(stock_from_lending, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='pledge',
            index=models.Index(fields=['purpose_key', 'purpose_id'], name='donations_p_purpose_dcff56_idx'),
        ),
        migrations.AddConstraint(
            model_name='pledge',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('purpose_id__isnull', True), ('purpose_key', '')), models.Q(models.Q(('purpose_key', ''), _negated=True), ('purpose_id__isnull', False)), _connector='OR'), name='pledge_purpose_whole'),
        ),
    ]

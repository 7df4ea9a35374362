"""Stock lots move here from lending (goods are the pool's assets); funds earmarked for one
need name it by a purpose instead of a fund kind per domain; disbursements can be rejected.

A fund of the old kind "wish" becomes "earmarked" with the purpose ("wish", its wish's id),
read from the code wish_approve gave it ("wish-<id>"); wishes/0003 confirms each from the
wish's side. The rows of an old lending stock table are moved by donations/0006, which knows
the goods intakes they came from.
"""

import re

import django.db.models.deletion
from django.db import migrations, models


def earmark_wish_funds(apps, schema_editor):
    Fund = apps.get_model("charity", "Fund")
    for fund in Fund.objects.filter(kind="wish"):
        match = re.fullmatch(r"wish-(\d+)", fund.code)
        if match is None:
            raise RuntimeError(f"Fund {fund.code!r} is a wish's fund without a wish id in its code.")
        fund.kind, fund.purpose_key, fund.purpose_id = "earmarked", "wish", int(match.group(1))
        fund.save(update_fields=["kind", "purpose_key", "purpose_id"])


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_warehouse'),
        ('charity', '0007_verbose_names'),
    ]

    operations = [
        migrations.CreateModel(
            name='StockLot',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('description', models.CharField(max_length=200, verbose_name='goods')),
                ('quantity_received', models.PositiveIntegerField(verbose_name='received')),
                ('quantity_on_hand', models.PositiveIntegerField(verbose_name='on hand')),
                ('unit_value', models.DecimalField(decimal_places=2, max_digits=12, verbose_name='value each')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='received at')),
            ],
            options={
                'verbose_name': 'stock lot',
                'verbose_name_plural': 'stock',
                'ordering': ['created_at', 'pk'],
            },
        ),
        migrations.AddField(
            model_name='disbursement',
            name='decision_reason',
            field=models.CharField(blank=True, max_length=255, verbose_name='reason for the decision'),
        ),
        migrations.AddField(
            model_name='fund',
            name='purpose_id',
            field=models.PositiveBigIntegerField(blank=True, null=True, verbose_name='purpose id'),
        ),
        migrations.AddField(
            model_name='fund',
            name='purpose_key',
            field=models.CharField(blank=True, max_length=20, verbose_name='purpose'),
        ),
        migrations.AlterField(
            model_name='fund',
            name='kind',
            field=models.CharField(choices=[('general', 'General pool'), ('lending', 'Equipment lending'), ('purpose', 'Named purpose'), ('earmarked', 'Earmarked for one need')], default='purpose', max_length=10, verbose_name='kind'),
        ),
        migrations.RunPython(earmark_wish_funds, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='fund',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'earmarked'), models.Q(('purpose_key', ''), _negated=True), ('purpose_id__isnull', False)), models.Q(models.Q(('kind', 'earmarked'), _negated=True), ('purpose_key', ''), ('purpose_id__isnull', True)), _connector='OR'), name='fund_earmarked_has_purpose'),
        ),
        migrations.AddConstraint(
            model_name='fund',
            constraint=models.UniqueConstraint(condition=models.Q(('kind', 'earmarked')), fields=('purpose_key', 'purpose_id'), name='fund_one_per_purpose'),
        ),
        migrations.AddField(
            model_name='stocklot',
            name='entry',
            field=models.ForeignKey(blank=True, help_text='The ledger entry that booked these goods into stock.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='stock_lots', to='charity.ledgerentry', verbose_name='booked by'),
        ),
        migrations.AddField(
            model_name='stocklot',
            name='warehouse',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='stock', to='accounts.warehouse', verbose_name='warehouse'),
        ),
        migrations.AddConstraint(
            model_name='stocklot',
            constraint=models.CheckConstraint(condition=models.Q(('quantity_on_hand__lte', models.F('quantity_received'))), name='stocklot_on_hand_within_received'),
        ),
    ]

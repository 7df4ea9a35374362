from django.db import migrations

FUNDS = [
    ("general", "社区资金池", "Community pool", "general", 0),
    ("lending", "循环义仓（器具借用）", "Circular warehouse (equipment lending)", "lending", 1),
]


def create_funds(apps, schema_editor):
    Fund = apps.get_model("charity", "Fund")
    for code, name, name_en, kind, order in FUNDS:
        Fund.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "kind": kind, "sort_order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("charity", "0003_ledger_guards")]
    operations = [migrations.RunPython(create_funds, migrations.RunPython.noop)]

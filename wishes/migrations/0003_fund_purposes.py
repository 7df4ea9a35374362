"""Each wish's earmarked fund names the wish as its purpose (charity/0008 derived it from the
fund's code; the wish's own foreign key is the authority)."""

from django.db import migrations


def confirm(apps, schema_editor):
    Wish = apps.get_model("wishes", "Wish")
    Fund = apps.get_model("charity", "Fund")
    for wish_id, fund_id in Wish.objects.filter(fund__isnull=False).values_list("pk", "fund_id"):
        Fund.objects.filter(pk=fund_id).update(
            kind="earmarked", purpose_key="wish", purpose_id=wish_id
        )


class Migration(migrations.Migration):
    dependencies = [
        ("wishes", "0002_board_order_index"),
        ("charity", "0008_stock_purposes_decisions"),
    ]
    operations = [migrations.RunPython(confirm, migrations.RunPython.noop)]

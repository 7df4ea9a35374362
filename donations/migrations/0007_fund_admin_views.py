"""Fund administrators may read the ledger, receipts and donations in the Django admin.

Moved here from accounts/0003_fund_admin_views when the layers were drawn (accounts may not
depend on the apps above it); granting twice changes nothing.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VIEW = {
    "charity": ["account", "ledgerentry", "ledgerleg", "fund", "disbursement", "stocklot"],
    "donations": ["donation", "receipt", "pledge", "refund", "stripeevent", "goodsintake"],
}


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="fund_administrator")
    for app_label, models in VIEW.items():
        for model in models:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=f"view_{model}")
            )
    group.permissions.add(
        Permission.objects.get(content_type__app_label="charity", codename="change_fund")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_roles"),
        ("donations", "0006_purposes_and_stock"),
    ]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]

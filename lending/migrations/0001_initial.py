"""Kept empty so databases that applied it stay consistent.

Warehouses moved to accounts and stock lots to charity when the layers were drawn
(accounts/migrations/0003_warehouse, donations/migrations/0006_purposes_and_stock move the
rows); lending's own models start with its domain.
"""

from django.db import migrations


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations: list = []

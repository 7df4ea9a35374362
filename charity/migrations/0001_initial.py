"""The charity app's first migration.

It created the home, standard and news pages until the layers were drawn; those pages now
belong to the public site (portal/migrations/0001_initial adopts their tables in databases
made before), so this migration is empty for a new database.
"""

from django.db import migrations


class Migration(migrations.Migration):
    initial = True
    dependencies = [("wagtailcore", "0098_apitoken")]
    operations: list = []

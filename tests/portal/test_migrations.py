"""A database made before the layers were drawn migrates forward with its data.

The fixture is the demo data of commit 7e704c6 (`make run`'s SQLite database after seed_demo,
plus a chip-in held for the money wish), dumped as SQL. Migrating it must rename the moved
tables, turn the pledge's wish into its purpose, move the stock lot to charity, keep every
Wagtail page reachable, and leave a site that serves pages and loads the demo again.
"""

import gzip
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "demo-before-layers.sql.gz"

CHECK = """
import django; django.setup()
from decimal import Decimal
from django.test import Client
from charity.models import LedgerLeg
from charity.selectors import fund_balances
from donations.models import Pledge, GoodsIntake
from wishes.models import Wish
pledge = Pledge.objects.get(pk=3)
wish = Wish.objects.get(pk=pledge.purpose_id)
assert pledge.purpose_key == "wish" and wish.fund_id == pledge.fund_id
assert (wish.fund.kind, wish.fund.purpose_key, wish.fund.purpose_id) == ("earmarked", "wish", wish.pk)
intake = GoodsIntake.objects.get()
assert intake.stock_lot.quantity_on_hand == 200 and intake.stock_lot.entry_id == intake.donation.entry_id
assert sum(LedgerLeg.objects.values_list("amount", flat=True)) == 0
client = Client()
for url in ["/", "/en/", "/wishes/", f"/wishes/{wish.pk}/", "/transparency/", "/news/"]:
    response = client.get(url, follow=True)
    assert response.status_code == 200, (url, response.status_code)
print("ok", len(fund_balances()))
"""


@pytest.mark.cjk_pdf  # seed_demo renders receipts on the way
def test_demo_database_from_before_the_layers_migrates_forward(tmp_path):
    db = tmp_path / "old-demo.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.executescript(gzip.decompress(FIXTURE.read_bytes()).decode())
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"sqlite:///{db}",
        "WISHPOOL_PRIVATE_MEDIA_ROOT": str(tmp_path / "private"),
    }

    def run(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    run("manage.py", "migrate", "--no-input")
    with sqlite3.connect(db) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        labels = set(conn.execute("SELECT app_label, model FROM django_content_type"))
        applied = set(conn.execute("SELECT app, name FROM django_migrations"))
    assert {"accounts_warehouse", "charity_stocklot", "portal_homepage"} <= tables
    assert not {
        t
        for t in tables
        if t in ("lending_warehouse", "lending_stocklot")
        or (t.startswith("charity_") and t.endswith("page"))
    }
    assert ("portal", "homepage") in labels and ("charity", "homepage") not in labels
    assert ("accounts", "warehouse") in labels and ("charity", "stocklot") in labels
    assert ("donations", "0006_purposes_and_stock") in applied
    assert run("-c", CHECK).startswith("ok")
    run("manage.py", "seed_demo")  # the demo loads again over the migrated data
    run("manage.py", "makemigrations", "--check", "--dry-run")

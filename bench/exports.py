"""The CSV export of one million ledger legs: seconds and peak memory of the process serving
it (goal: under 200 MB), streamed through the real view with Django's test client.

Own database `wishpool_bench_exports`. 500,000 balanced entries (1,000,000 legs) are loaded
with SQL (generate_series) with the ledger's row triggers switched off for the load only
(they would check each of them at commit; the data is balanced by construction), then back on.
The export runs in a fresh child process so its peak RSS is the export's own.

Run from the project root: .venv/bin/python -m bench.exports
"""

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

from bench import common as c

DB_NAME = "wishpool_bench_exports"
ENTRIES = 500_000

CHILD = r"""
import json, os, resource, sys, time
sys.path.insert(0, os.getcwd())
import django
django.setup()
from django.test import Client
from django.utils import timezone
from accounts.models import User
from tests.accounts import factories as f
admin = User.objects.filter(groups__name="fund_administrator").first() or f.fund_administrator()
client = Client()
client.force_login(admin)
today = timezone.localdate().isoformat()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
response = client.get("/my/reports/exports/", {"dataset": "ledger", "start": "2026-01-01",
                                                 "end": today, "file_format": "csv"})
size = rows = 0
for chunk in response.streaming_content:
    size += len(chunk)
    rows += chunk.count(b"\n")
elapsed = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": elapsed, "rows": rows - 1, "bytes": size,
                  "peak_kb": peak, "before_kb": before}))
"""


def load(url: str) -> None:
    """Two fund accounts and 500,000 entries of two legs each, posted over this year so far."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ALTER TABLE charity_ledgerentry DISABLE TRIGGER ALL")
        conn.execute("ALTER TABLE charity_ledgerleg DISABLE TRIGGER ALL")
        accounts = conn.execute(
            "SELECT a.id FROM charity_account a JOIN charity_fund f ON f.id = a.fund_id "
            "WHERE f.code = 'general' AND a.kind = 'fund' LIMIT 1"
        ).fetchone()
        if accounts is None:
            conn.execute(
                "INSERT INTO charity_account (code, kind, fund_id, currency) "
                "SELECT 'fund:general:CNY', 'fund', id, 'CNY' FROM charity_fund "
                "WHERE code = 'general'"
            )
        conn.execute(
            "INSERT INTO charity_account (code, kind, fund_id, currency) "
            "VALUES ('bank:CNY', 'bank', NULL, 'CNY') ON CONFLICT (code) DO NOTHING"
        )
        pool = conn.execute(
            "SELECT a.id FROM charity_account a JOIN charity_fund f ON f.id = a.fund_id "
            "WHERE f.code = 'general' AND a.kind = 'fund' LIMIT 1"
        ).fetchone()[0]
        bank = conn.execute("SELECT id FROM charity_account WHERE code = 'bank:CNY'").fetchone()[0]
        conn.execute(
            "INSERT INTO charity_ledgerentry (kind, memo, posted_at) "
            # spread over this year's months so far (at most 330 days back, all in this year)
            "SELECT 'offline_income', '捐赠 #' || g, "
            "now() - (g %% LEAST(330, EXTRACT(doy FROM now())::int - 1 + 1)) * interval '1 day' "
            "FROM generate_series(1, %s) g",
            [ENTRIES],
        )
        conn.execute(
            "INSERT INTO charity_ledgerleg (entry_id, account_id, amount, currency) "
            "SELECT id, %s, 100 + (id %% 900), 'CNY' FROM charity_ledgerentry "
            "UNION ALL SELECT id, %s, -(100 + (id %% 900)), 'CNY' FROM charity_ledgerentry",
            [bank, pool],
        )
        conn.execute("ALTER TABLE charity_ledgerentry ENABLE TRIGGER ALL")
        conn.execute("ALTER TABLE charity_ledgerleg ENABLE TRIGGER ALL")
        conn.execute("ANALYZE")
        legs = conn.execute("SELECT count(*) FROM charity_ledgerleg").fetchone()[0]
        c.line("ledger legs loaded", f"{legs:,}")


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="wishpool-bench-exports-"))
    env = c.bench_env(
        db_name=DB_NAME, private_root=tmp / "private", CELERY_TASK_ALWAYS_EAGER="true"
    )
    try:
        c.db_create(DB_NAME)
        c.migrate(env)
        print(f"exports bench on database {DB_NAME}", flush=True)
        c.line("load average at start", c.load())
        started = time.perf_counter()
        load(c.database_url(DB_NAME))
        c.line("load (SQL)", f"{time.perf_counter() - started:.1f} s")
        out = (
            subprocess.run(
                [sys.executable, "-c", CHILD],
                cwd=c.BASE_DIR,
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        result = json.loads(out)
        c.line("rows exported (CSV, one per leg)", f"{result['rows']:,}")
        c.line("bytes", f"{result['bytes'] / 1e6:.0f} MB")
        c.line("seconds", f"{result['seconds']:.1f}")
        c.line(
            "peak RSS of the exporting process",
            f"{result['peak_kb'] / 1024:.0f} MB (before the export: "
            f"{result['before_kb'] / 1024:.0f} MB); goal under 200 MB",
        )
        c.line("load average at end", c.load())
    finally:
        c.db_drop(DB_NAME)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

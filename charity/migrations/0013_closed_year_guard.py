"""The database refuses a ledger entry posted into a closed year (PostgreSQL only; on SQLite
entry_post refuses it). The year is the local calendar year (Asia/Shanghai) of posted_at."""

from django.db import migrations

GUARD = r"""
CREATE OR REPLACE FUNCTION charity_ledger_open_year() RETURNS trigger AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM charity_yearclosing
        WHERE status = 'closed'
          AND year = extract(year FROM (NEW.posted_at AT TIME ZONE 'Asia/Shanghai'))::int
    ) THEN
        RAISE EXCEPTION 'the year of % is closed: post corrections into the open year',
            NEW.posted_at USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER charity_ledgerentry_open_year
    BEFORE INSERT ON charity_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION charity_ledger_open_year();
"""

DROP = r"""
DROP TRIGGER IF EXISTS charity_ledgerentry_open_year ON charity_ledgerentry;
DROP FUNCTION IF EXISTS charity_ledger_open_year();
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GUARD, params=None)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("charity", "0012_year_closing")]
    operations = [migrations.RunPython(install, remove)]

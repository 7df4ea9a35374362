"""The database guards of the ledger (PostgreSQL only; SQLite relies on entry_post).

- A deferred constraint trigger checks, at commit, that every entry has at least two legs
  and balances per currency.
- Row triggers refuse UPDATE and DELETE of posted entries and legs.
"""

from django.db import migrations

GUARDS = r"""
CREATE OR REPLACE FUNCTION charity_ledger_check_entry() RETURNS trigger AS $$
DECLARE
    eid bigint;
    legs integer;
    bad record;
BEGIN
    IF TG_TABLE_NAME = 'charity_ledgerentry' THEN
        eid := NEW.id;
    ELSE
        eid := NEW.entry_id;
    END IF;
    SELECT count(*) INTO legs FROM charity_ledgerleg WHERE entry_id = eid;
    IF legs < 2 THEN
        RAISE EXCEPTION 'ledger entry % has % leg(s); at least two are needed', eid, legs
            USING ERRCODE = 'check_violation';
    END IF;
    FOR bad IN
        SELECT currency, sum(amount) AS total FROM charity_ledgerleg
        WHERE entry_id = eid GROUP BY currency HAVING sum(amount) <> 0
    LOOP
        RAISE EXCEPTION 'ledger entry % does not balance in %: %', eid, bad.currency, bad.total
            USING ERRCODE = 'check_violation';
    END LOOP;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER charity_ledgerleg_balanced
    AFTER INSERT ON charity_ledgerleg DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION charity_ledger_check_entry();
CREATE CONSTRAINT TRIGGER charity_ledgerentry_has_legs
    AFTER INSERT ON charity_ledgerentry DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION charity_ledger_check_entry();

CREATE OR REPLACE FUNCTION charity_ledger_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'posted ledger rows cannot be changed or deleted (%); post a reversing entry',
        TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER charity_ledgerleg_immutable BEFORE UPDATE OR DELETE ON charity_ledgerleg
    FOR EACH ROW EXECUTE FUNCTION charity_ledger_immutable();
CREATE TRIGGER charity_ledgerentry_immutable BEFORE UPDATE OR DELETE ON charity_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION charity_ledger_immutable();
"""

DROP = r"""
DROP TRIGGER IF EXISTS charity_ledgerentry_immutable ON charity_ledgerentry;
DROP TRIGGER IF EXISTS charity_ledgerleg_immutable ON charity_ledgerleg;
DROP FUNCTION IF EXISTS charity_ledger_immutable();
DROP TRIGGER IF EXISTS charity_ledgerentry_has_legs ON charity_ledgerentry;
DROP TRIGGER IF EXISTS charity_ledgerleg_balanced ON charity_ledgerleg;
DROP FUNCTION IF EXISTS charity_ledger_check_entry();
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GUARDS, params=None)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("charity", "0002_ledger")]
    operations = [migrations.RunPython(install, remove)]

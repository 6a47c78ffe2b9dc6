"""The database refuses UPDATE and DELETE on the audit tables.

Services only ever INSERT audit rows; a trigger makes that a property of the database, so not
even a bug, a shell session or the admin can rewrite history. (TRUNCATE is a table owner's
operation; ``verify_audit`` notices it through the checkpoints.)
"""

from django.db import migrations

TABLES = ["core_auditlog", "core_auditcheckpoint", "core_auditcheckpointhead"]

FUNCTION = """
CREATE OR REPLACE FUNCTION core_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit records are append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def _create(table: str) -> str:
    return (
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION core_audit_append_only();"
    )


def _drop(table: str) -> str:
    return f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};"


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.RunSQL(FUNCTION, "DROP FUNCTION IF EXISTS core_audit_append_only();"),
        *[migrations.RunSQL(_create(t), _drop(t)) for t in TABLES],
    ]

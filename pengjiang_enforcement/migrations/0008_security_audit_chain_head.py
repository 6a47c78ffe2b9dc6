"""The head of every audit chain, kept apart from the chain and sealed.

Existing chains get their head (the newest row, sealed with ``AUDIT_KEY``). From then on the
database lets a head be created only at its chain's first row, moved only forward by exactly one
onto an existing row with that hash (whose link points at the old head), and never deleted.
"""

from django.db import migrations, models

FUNCTION = """
CREATE OR REPLACE FUNCTION core_audit_chain_head_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'audit chain heads are never deleted: DELETE of % refused', OLD.chain_key
            USING ERRCODE = 'insufficient_privilege';
    ELSIF TG_OP = 'INSERT' THEN
        IF NEW.chain_seq <> 1 OR NOT EXISTS (
            SELECT 1 FROM core_auditlog a
            WHERE a.chain_key = NEW.chain_key AND a.chain_seq = 1 AND a.hash = NEW.hash
        ) THEN
            RAISE EXCEPTION 'audit chain head of % refused: a head starts at its chain''s first row', NEW.chain_key
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    ELSIF NEW.id <> OLD.id OR NEW.chain_key <> OLD.chain_key OR NEW.chain_seq <> OLD.chain_seq + 1
        OR NOT EXISTS (
            SELECT 1 FROM core_auditlog a
            WHERE a.chain_key = NEW.chain_key AND a.chain_seq = NEW.chain_seq
              AND a.hash = NEW.hash AND a.prev_hash = OLD.hash
        ) THEN
        RAISE EXCEPTION 'audit chain head of % refused: a head moves only forward by one row', OLD.chain_key
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""
TRIGGER = (
    "CREATE TRIGGER core_auditchainhead_guard BEFORE INSERT OR UPDATE OR DELETE ON core_auditchainhead "
    "FOR EACH ROW EXECUTE FUNCTION core_audit_chain_head_guard();"
)


def build_heads(apps, schema_editor):
    """One head per existing chain: its newest row, sealed."""
    from pengjiang_enforcement.audit import head_seal

    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT ON (chain_key) chain_key, chain_seq, hash FROM core_auditlog "
            "ORDER BY chain_key, chain_seq DESC"
        )
        heads = [(key, seq, digest, head_seal(key, seq, digest)) for key, seq, digest in cursor.fetchall()]
        for start in range(0, len(heads), 5000):
            cursor.executemany(
                "INSERT INTO core_auditchainhead (chain_key, chain_seq, hash, seal) VALUES (%s, %s, %s, %s)",
                heads[start : start + 5000],
            )


class Migration(migrations.Migration):
    dependencies = [("core", "0007_imports_unit_aliases")]

    operations = [
        migrations.CreateModel(
            name="AuditChainHead",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("chain_key", models.CharField(max_length=100, unique=True, verbose_name="chain")),
                ("chain_seq", models.PositiveBigIntegerField(verbose_name="position in chain")),
                ("hash", models.CharField(max_length=64, verbose_name="hash")),
                ("seal", models.CharField(max_length=64, verbose_name="seal")),
            ],
            options={"verbose_name": "audit chain head", "verbose_name_plural": "audit chain heads"},
        ),
        migrations.RunPython(build_heads, migrations.RunPython.noop),
        migrations.RunSQL(FUNCTION, "DROP FUNCTION IF EXISTS core_audit_chain_head_guard();"),
        migrations.RunSQL(TRIGGER, "DROP TRIGGER IF EXISTS core_auditchainhead_guard ON core_auditchainhead;"),
    ]

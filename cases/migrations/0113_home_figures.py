"""Maintained figures per township, kind and state, kept exact by statement triggers.

The triggers use transition tables: one aggregate per statement, so a ``COPY`` of a million rows
adds a few dozen rows of differences, not a million row triggers. The differences are only ever
inserted (no row is updated in place), so two transactions moving rows of the same township
never wait for each other's figure rows, whatever order they move them in; the beat task
``cases.compact_figures`` folds them into one row per figure. Existing rows are counted once at
the end.
"""

import django.db.models.deletion
from django.db import migrations, models

from cases.roles import FIGURE_PERMISSIONS
from pengjiang_enforcement.roles import grant_role_permissions

# (table, kind, the column of its state)
TABLES = [
    ("cases_case", "case", "state"),
    ("cases_lead", "lead", "status"),
    ("cases_hotlineorder", "hotlineorder", "state"),
]

FUNCTION = r"""
CREATE OR REPLACE FUNCTION cases_figure_count() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    kind text := TG_ARGV[0];
    col text := TG_ARGV[1];
    delta text;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM cases_figure WHERE cases_figure.kind = TG_ARGV[0];
        RETURN NULL;
    ELSIF TG_OP = 'INSERT' THEN
        delta := format('SELECT township_id, %1$I AS state, count(*) AS n FROM new_rows GROUP BY 1, 2', col);
    ELSIF TG_OP = 'DELETE' THEN
        delta := format('SELECT township_id, %1$I AS state, -count(*) AS n FROM old_rows GROUP BY 1, 2', col);
    ELSE
        delta := format(
            'SELECT township_id, state, sum(n) AS n FROM ('
            ' SELECT township_id, %1$I AS state, 1 AS n FROM new_rows'
            ' UNION ALL SELECT township_id, %1$I, -1 FROM old_rows'
            ') moved GROUP BY 1, 2 HAVING sum(n) <> 0',
            col
        );
    END IF;
    EXECUTE format(
        'INSERT INTO cases_figure (township_id, kind, state, count)'
        ' SELECT township_id, %1$L, state, n FROM (%2$s) d WHERE n <> 0',
        kind, delta
    );
    RETURN NULL;
END
$$;

-- Fold the differences into one row per figure: the rows visible now are deleted and their sums
-- inserted in the same statement; differences committed meanwhile stay for the next run.
CREATE OR REPLACE FUNCTION cases_figure_compact() RETURNS integer LANGUAGE sql AS $$
    WITH folded AS (DELETE FROM cases_figure RETURNING township_id, kind, state, count),
    summed AS (
        INSERT INTO cases_figure (township_id, kind, state, count)
        SELECT township_id, kind, state, sum(count) FROM folded GROUP BY 1, 2, 3 HAVING sum(count) <> 0
        RETURNING 1
    )
    SELECT count(*)::integer FROM summed;
$$;
"""


def _triggers(table: str, kind: str, column: str) -> str:
    name = f"{table}_figures"
    return f"""
CREATE TRIGGER {name}_ins AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cases_figure_count('{kind}', '{column}');
CREATE TRIGGER {name}_upd AFTER UPDATE ON {table} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cases_figure_count('{kind}', '{column}');
CREATE TRIGGER {name}_del AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cases_figure_count('{kind}', '{column}');
CREATE TRIGGER {name}_trunc AFTER TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION cases_figure_count('{kind}', '{column}');
INSERT INTO cases_figure (township_id, kind, state, count)
    SELECT township_id, '{kind}', {column}, count(*) FROM {table} GROUP BY 1, 3;
"""


def _drop(table: str) -> str:
    name = f"{table}_figures"
    return "".join(f"DROP TRIGGER IF EXISTS {name}_{op} ON {table};" for op in ("ins", "upd", "del", "trunc"))


def forwards(apps, schema_editor):
    """Grant the figures' permission to the township roles (idempotent: reference data)."""
    grant_role_permissions(apps, FIGURE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0112_lists_queue_indexes"),
        ("core", "0008_security_audit_chain_head"),
    ]

    operations = [
        migrations.CreateModel(
            name="Figure",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[("case", "cases"), ("lead", "leads"), ("hotlineorder", "12345 work orders")],
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                ("state", models.CharField(max_length=30, verbose_name="state")),
                ("count", models.BigIntegerField(default=0, verbose_name="count")),
                (
                    "township",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="core.unit",
                        verbose_name="township",
                    ),
                ),
            ],
            options={
                "verbose_name": "figure",
                "verbose_name_plural": "figures",
                "ordering": ["township", "kind", "state"],
                "indexes": [models.Index(fields=["township", "kind", "state"], name="cases_figure_key_idx")],
            },
        ),
        migrations.RunSQL(
            FUNCTION,
            "DROP FUNCTION IF EXISTS cases_figure_count() CASCADE; DROP FUNCTION IF EXISTS cases_figure_compact();",
        ),
        *(migrations.RunSQL(_triggers(*table), _drop(table[0])) for table in TABLES),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]

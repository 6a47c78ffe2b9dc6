"""An archived case and every row of its file are read-only in the database (cases.archive_guard)."""

from django.db import migrations

from cases.archive_guard import FUNCTIONS, REVERSE_FUNCTIONS, guard_sql

# (table, the column naming the case, or the column naming a row of the table ``via``)
FILE_TABLES = [
    ("cases_party", "case_id", None),
    ("cases_caseofficer", "case_id", None),
    ("cases_caseevent", "case_id", None),
    ("cases_deadline", "case_id", None),
    ("cases_extensionrequest", "case_id", None),
    ("cases_correctionorder", "case_id", None),
    ("cases_inspectionrecord", "case_id", None),
    ("cases_interviewrecord", "case_id", None),
    ("cases_preservation", "case_id", None),
    ("cases_investigationreport", "case_id", None),
    ("cases_evidence", "case_id", None),
    ("cases_attachment", "evidence_id", "cases_evidence"),
    ("cases_inspectionrecord_officers", "inspectionrecord_id", "cases_inspectionrecord"),
    ("cases_interviewrecord_officers", "interviewrecord_id", "cases_interviewrecord"),
]


class Migration(migrations.Migration):
    dependencies = [("cases", "0114_home_indexes")]

    operations = [
        migrations.RunSQL(FUNCTIONS, REVERSE_FUNCTIONS),
        *(migrations.RunSQL(*guard_sql(table, column, via)) for table, column, via in FILE_TABLES),
    ]

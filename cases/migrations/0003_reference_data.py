"""What the law leaves open, as data: number patterns, extension steps, the procedure policy.

District admins change these rows in the admin; this migration only adds what is missing.
"""

from django.db import migrations

PATTERNS = {
    "lead": "{district}{township}综执源〔{year}〕{seq}号",
    "filing": "{district}{township}综执立〔{year}〕{seq}号",
    "correction": "{district}{township}综执改〔{year}〕{seq}号",
    "preservation": "{district}{township}综执保〔{year}〕{seq}号",
}

# Sector practice (e.g. 市场监管): +30 days with the head's approval, then only by a collective
# discussion (domain.md 1.6, stage 8).
EXTENSION_STEPS = [
    (1, 30, False, "经执法办负责人批准，延长30日"),
    (2, 30, True, "经集体讨论决定，再延长30日"),
]


def forwards(apps, schema_editor):
    NumberPattern = apps.get_model("cases", "NumberPattern")
    ExtensionStep = apps.get_model("cases", "ExtensionStep")
    ProcedurePolicy = apps.get_model("cases", "ProcedurePolicy")
    for doc_type, pattern in PATTERNS.items():
        NumberPattern.objects.get_or_create(township=None, doc_type=doc_type, defaults={"pattern": pattern})
    for step, days, collective, description in EXTENSION_STEPS:
        ExtensionStep.objects.get_or_create(
            township=None,
            step=step,
            defaults={"days": days, "needs_collective_discussion": collective, "description": description},
        )
    ProcedurePolicy.objects.get_or_create(township=None, defaults={"check_working_days": 15, "due_soon_days": 5})


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_roles")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

"""The catalogue import becomes a background job of the kernel: one status set for every job
(uploaded → queued, parsing → reading, preview → previewed), the failure becomes the job's error
message, and the job gets the kernel's error code and timestamps."""

from django.db import migrations, models

RENAMED = {"uploaded": "queued", "parsing": "reading", "preview": "previewed"}


def forwards(apps, schema_editor):
    CatalogueImport = apps.get_model("powers", "CatalogueImport")
    for old, new in RENAMED.items():
        CatalogueImport.objects.filter(status=old).update(status=new)


def backwards(apps, schema_editor):
    CatalogueImport = apps.get_model("powers", "CatalogueImport")
    for old, new in RENAMED.items():
        CatalogueImport.objects.filter(status=new).update(status=old)


class Migration(migrations.Migration):
    dependencies = [
        ("powers", "0003_procedure_details"),
    ]

    operations = [
        migrations.RenameField(model_name="catalogueimport", old_name="failure", new_name="error_message"),
        migrations.AlterField(
            model_name="catalogueimport",
            name="error_message",
            field=models.TextField(blank=True, verbose_name="error"),
        ),
        migrations.AddField(
            model_name="catalogueimport",
            name="error_code",
            field=models.CharField(blank=True, max_length=40, verbose_name="error code"),
        ),
        migrations.AddField(
            model_name="catalogueimport",
            name="heartbeat_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="last progress at"),
        ),
        migrations.AddField(
            model_name="catalogueimport",
            name="started_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="started at"),
        ),
        migrations.AlterField(
            model_name="catalogueimport",
            name="status",
            field=models.CharField(
                choices=[
                    ("queued", "Queued"),
                    ("reading", "Reading the file"),
                    ("previewed", "Preview ready: waiting for confirmation"),
                    ("applying", "Importing"),
                    ("running", "Running"),
                    ("done", "Done"),
                    ("failed", "Failed"),
                    ("cancelled", "Discarded"),
                    ("refused", "Refused (bad input)"),
                ],
                default="queued",
                max_length=20,
                verbose_name="status",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]

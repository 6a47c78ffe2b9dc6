import datetime

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0107_hotline_route_importer"),
        ("core", "0004_organisation"),
        ("powers", "0004_catalogue_import_background_job"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Orders imported before imports refused such dates: the impossible value goes (an optional
        # date is emptied, the receipt and due dates fall back to the day the order was imported).
        migrations.RunSQL(
            """
            UPDATE cases_hotlineorder SET dispatched_at = NULL
             WHERE dispatched_at < '1900-01-01' OR dispatched_at >= '2200-01-01';
            UPDATE cases_hotlineorder SET promised_at = NULL
             WHERE promised_at < '1900-01-01' OR promised_at >= '2200-01-01';
            UPDATE cases_hotlineorder SET platform_finished_at = NULL
             WHERE platform_finished_at < '1900-01-01' OR platform_finished_at >= '2200-01-01';
            UPDATE cases_hotlineorder SET received_at = created_at
             WHERE received_at < '1900-01-01' OR received_at >= '2200-01-01';
            UPDATE cases_hotlineorder SET base_due_on = created_at::date
             WHERE base_due_on < '1900-01-01' OR base_due_on >= '2200-01-01';
            UPDATE cases_hotlineorder SET due_on = created_at::date
             WHERE due_on < '1900-01-01' OR due_on >= '2200-01-01';
            """,
            migrations.RunSQL.noop,
        ),
        migrations.AddConstraint(
            model_name="hotlineorder",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("received_at__gte", datetime.datetime(1900, 1, 1, 0, 0, tzinfo=datetime.UTC)),
                    ("received_at__lt", datetime.datetime(2200, 1, 1, 0, 0, tzinfo=datetime.UTC)),
                    ("due_on__gte", datetime.date(1900, 1, 1)),
                    ("due_on__lt", datetime.date(2200, 1, 1)),
                    ("base_due_on__gte", datetime.date(1900, 1, 1)),
                    ("base_due_on__lt", datetime.date(2200, 1, 1)),
                    models.Q(
                        ("dispatched_at__isnull", True),
                        models.Q(
                            ("dispatched_at__gte", datetime.datetime(1900, 1, 1, 0, 0, tzinfo=datetime.UTC)),
                            ("dispatched_at__lt", datetime.datetime(2200, 1, 1, 0, 0, tzinfo=datetime.UTC)),
                        ),
                        _connector="OR",
                    ),
                    models.Q(
                        ("promised_at__isnull", True),
                        models.Q(
                            ("promised_at__gte", datetime.datetime(1900, 1, 1, 0, 0, tzinfo=datetime.UTC)),
                            ("promised_at__lt", datetime.datetime(2200, 1, 1, 0, 0, tzinfo=datetime.UTC)),
                        ),
                        _connector="OR",
                    ),
                    models.Q(
                        ("platform_finished_at__isnull", True),
                        models.Q(
                            (
                                "platform_finished_at__gte",
                                datetime.datetime(1900, 1, 1, 0, 0, tzinfo=datetime.UTC),
                            ),
                            (
                                "platform_finished_at__lt",
                                datetime.datetime(2200, 1, 1, 0, 0, tzinfo=datetime.UTC),
                            ),
                        ),
                        _connector="OR",
                    ),
                ),
                name="cases_hlorder_dates_possible",
            ),
        ),
    ]

"""Store the raw rows and the order bodies with lz4 rather than pglz compression.

A 100,000-row import writes and reads back some 300 MB of JSON; lz4 compresses several times
faster than PostgreSQL's default pglz, for a little more disk. PostgreSQL built without lz4
keeps its default (the block below checks).
"""

from django.db import migrations

LZ4 = """
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression'
               AND enumvals::text LIKE '%lz4%') THEN
        ALTER TABLE cases_hotlinerawrow ALTER COLUMN cells SET COMPRESSION lz4,
                                        ALTER COLUMN parsed SET COMPRESSION lz4;
        ALTER TABLE cases_hotlineorder ALTER COLUMN content SET COMPRESSION lz4;
    END IF;
END $$;
"""


class Migration(migrations.Migration):
    dependencies = [("cases", "0102_hotline_gazetteer")]

    operations = [migrations.RunSQL(LZ4, migrations.RunSQL.noop)]

from django.db import migrations

from search import matches


def retrigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        matches.retrigger(schema_editor)


class Migration(migrations.Migration):
    """PostgreSQL: a TRUNCATE of the search rows empties the narrow table too
    (search/matches.py). SQLite's `flush` deletes rows, which its triggers follow."""

    dependencies = [("search", "0009_row_updated_at_index")]
    operations = [migrations.RunPython(retrigger, migrations.RunPython.noop)]

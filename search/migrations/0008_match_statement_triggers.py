from django.db import migrations

from search import matches


def retrigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        matches.retrigger(schema_editor)


class Migration(migrations.Migration):
    """PostgreSQL: the narrow table follows each statement's rows at once, and its GIN index
    takes new rows into a pending list (search/matches.py). SQLite keeps its triggers."""

    dependencies = [("search", "0007_match_table")]
    operations = [migrations.RunPython(retrigger, migrations.RunPython.noop)]

from django.db import migrations

from search import fulltext


def create(apps, schema_editor):
    fulltext.create(schema_editor)


def drop(apps, schema_editor):
    fulltext.drop(schema_editor)


class Migration(migrations.Migration):
    """The database engine's full-text index (search/fulltext.py): FTS5 on SQLite, a
    generated tsvector column with a GIN index on PostgreSQL."""

    dependencies = [("search", "0004_more_synonyms")]
    operations = [migrations.RunPython(create, drop)]

from django.db import migrations

from search import matches


def create(apps, schema_editor):
    matches.create(schema_editor)


def drop(apps, schema_editor):
    matches.drop(schema_editor)


class Migration(migrations.Migration):
    """The narrow table of the public search rows (search/matches.py): facets and order on
    both databases, and words without positions on PostgreSQL."""

    dependencies = [("search", "0006_synonyms_updated_at")]
    operations = [migrations.RunPython(create, drop)]

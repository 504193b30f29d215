from django.db import migrations

from search import synonyms

# The groups of search/data/synonyms.toml that name this migration (the default for a
# group): abbreviations of state bodies, document kinds, identity, insurance, business, land,
# education and places, with their sources. Groups an editor already has are left alone.
MIGRATION = "0004_more_synonyms"


def add_synonyms(apps, schema_editor):
    SynonymGroup = apps.get_model("search", "SynonymGroup")
    synonyms.add_missing(SynonymGroup, MIGRATION, using=schema_editor.connection.alias)


def remove_synonyms(apps, schema_editor):
    # Only the groups as this migration wrote them: one an editor changed stays.
    SynonymGroup = apps.get_model("search", "SynonymGroup")
    synonyms.remove_added(SynonymGroup, MIGRATION, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("search", "0003_facets_without_indexes")]
    operations = [migrations.RunPython(add_synonyms, remove_synonyms)]

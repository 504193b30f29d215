"""Jobs queued under the task backend's old name (`imports`, when it ran only the admin's
imports) are run by the workers of its new one (`background`)."""

from django.db import migrations


def rename(apps, schema_editor):
    results = apps.get_model("django_tasks_database", "DBTaskResult")
    results.objects.filter(backend_name="imports").update(backend_name="background")


def rename_back(apps, schema_editor):
    results = apps.get_model("django_tasks_database", "DBTaskResult")
    results.objects.filter(backend_name="background").update(backend_name="imports")


class Migration(migrations.Migration):
    dependencies = [("django_tasks_database", "0021_conditional_partial_index_ordering")]

    operations = [migrations.RunPython(rename, rename_back)]

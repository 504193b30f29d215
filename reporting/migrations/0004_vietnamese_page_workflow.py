"""Wagtail's default pages workflow and its task in Vietnamese.

Wagtail's own migration (wagtailcore 0048) creates a workflow and a task named "Moderators
approval" for the pages; the names are stored, not translated, so an editor sending a page
for review read them in English ("Moderators approval" in the action menu and the status
panel). Only the names Wagtail gave are changed: a workflow an administrator has renamed
keeps its name.
"""

from django.db import migrations

ENGLISH = "Moderators approval"
VIETNAMESE = "Duyệt trang trước khi xuất bản"


def _rename(apps, old, new):
    for model in ("Workflow", "Task"):
        apps.get_model("wagtailcore", model).objects.filter(name=old).update(name=new)


def to_vietnamese(apps, schema_editor):
    _rename(apps, ENGLISH, VIETNAMESE)


def to_english(apps, schema_editor):
    _rename(apps, VIETNAMESE, ENGLISH)


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0003_reviewers_publish_through_review"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(to_vietnamese, to_english)]

"""Evidence files uploaded before 0004 move from MEDIA_ROOT into the private evidence storage
under random names (practices.evidence.legacy); `manage.py move_evidence_files` does the same
again later, for files that were not there when this ran."""

from django.db import migrations


def forward(apps, schema_editor):
    from practices.evidence.legacy import move_legacy_files

    report = move_legacy_files(
        apps.get_model("practices", "Adoption"),
        apps.get_model("wagtailcore", "Revision"),
        apps.get_model("contenttypes", "ContentType"),
    )
    if report.moved or report.missing:
        print(
            f"\n  Evidence files moved to the private storage: {len(report.moved)}; "
            f"missing (left as they were): {len(report.missing)}"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("practices", "0004_adoption_evidence_private"),
        ("wagtailcore", "0098_apitoken"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]

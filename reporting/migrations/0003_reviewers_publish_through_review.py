"""Reviewers publish only by approving a review; seed records are not drafts.

- The reviewers' group loses the adoption permissions "publish" (Wagtail's "Xuất bản" and
  "Huỷ xuất bản") and "delete": a reviewer makes a report public or not only through the
  review's approve and return, which the review's record keeps. `setup_roles()` grants the
  same set; this migration applies it to installations that do not run `load_seed` again.
- Adoptions the seed loaded were saved live and then given a revision as a change, so Wagtail
  flagged them "has unpublished changes" with nothing unpublished: a live record whose only
  revision is that one, with no review under way, is marked as published as it is.
"""

from django.db import migrations
from django.db.models import CharField, Count, Exists, OuterRef, Subquery
from django.db.models.functions import Cast

REVIEWERS = "Thẩm định viên quốc gia"
WITHDRAWN = ["publish_adoption", "delete_adoption"]


def reviewers_publish_through_review(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=REVIEWERS).first()
    if group is None:
        return
    group.permissions.remove(
        *Permission.objects.filter(content_type__app_label="practices", codename__in=WITHDRAWN)
    )


def seed_records_are_published(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Adoption = apps.get_model("practices", "Adoption")
    Revision = apps.get_model("wagtailcore", "Revision")
    WorkflowState = apps.get_model("wagtailcore", "WorkflowState")
    content_type = ContentType.objects.filter(app_label="practices", model="adoption").first()
    if content_type is None:
        return
    object_id = Cast(OuterRef("pk"), CharField())
    revision_count = (
        Revision.objects.filter(base_content_type=content_type, object_id=object_id)
        .order_by()
        .values("object_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    under_review = WorkflowState.objects.filter(
        base_content_type=content_type,
        object_id=object_id,
        status__in=["in_progress", "needs_changes"],
    )
    ids = list(
        Adoption.objects.filter(live=True, has_unpublished_changes=True, live_revision=None)
        .annotate(revision_count=Subquery(revision_count), under_review=Exists(under_review))
        .filter(revision_count=1, under_review=False)
        .values_list("pk", flat=True)
    )
    Adoption.objects.filter(pk__in=ids).update(has_unpublished_changes=False)


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0002_adoptionreviewtask"),
        ("practices", "0005_move_evidence_files"),
        ("wagtailcore", "0098_apitoken"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(reviewers_publish_through_review, migrations.RunPython.noop),
        migrations.RunPython(seed_records_are_published, migrations.RunPython.noop),
    ]

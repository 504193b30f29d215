"""The roles of the reporting cycle, as Django groups, and the review workflow.

- Báo cáo viên (agency reporter): drafts and submits adoption reports for their agencies;
  never publishes.
- Thẩm định viên (national reviewer): approves or returns any report (the workflow task,
  `AdoptionReviewTask`), and on approval may record that they checked the evidence. They do
  not hold "publish" (nor "delete"): a report becomes public, or stops being public, only
  through a review's approval, which its history records with the check and the comment.
- Biên tập viên (national editor): manages practices, guidance and reference data, and
  publishes adoptions directly: corrections of approved records and the reference imports
  are theirs.

`setup_roles()` is idempotent; `load_seed` runs it, so every installation has the groups and
the workflow.
"""

REPORTERS = "Báo cáo viên cơ quan"
REVIEWERS = "Thẩm định viên quốc gia"
EDITORS = "Biên tập viên quốc gia"
NATIONAL_GROUPS = (REVIEWERS, EDITORS)

WORKFLOW_NAME = "Thẩm định báo cáo áp dụng"
TASK_NAME = "Thẩm định viên quốc gia duyệt báo cáo"

ADOPTION_PERMISSIONS = {
    REPORTERS: ["add", "change", "view"],
    # Reviewers make a report public only by approving its review (see the docstring).
    REVIEWERS: ["add", "change", "view", "lock", "unlock"],
    EDITORS: ["add", "change", "view", "delete", "publish", "lock", "unlock"],
}
REFERENCE_MODELS = [
    ("practices", "agency"),
    ("practices", "succession"),
    ("practices", "practicecategory"),
    ("practices", "indicator"),
    ("indicators", "indicatorvalue"),  # national editors only (indicators.permissions)
    ("kb", "source"),
    ("kb", "sitecontact"),  # the owner and contact in the footer (menu Tùy chỉnh)
    ("search", "synonymgroup"),
]


def _perms(app_label, model, actions):
    from django.contrib.auth.models import Permission

    codenames = [f"{action}_{model}" for action in actions]
    perms = list(
        Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
    )
    missing = set(codenames) - {p.codename for p in perms}
    if missing:
        raise RuntimeError(f"Thiếu quyền {sorted(missing)}; hãy chạy migrate trước.")
    return perms


def setup_roles():
    """Create or update the three groups, their permissions and the review workflow."""
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    from wagtail.models import (
        GroupPagePermission,
        Page,
        Workflow,
        WorkflowContentType,
        WorkflowTask,
    )

    from practices.models import Adoption

    admin_access = Permission.objects.get(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    groups = {}
    adoption_type = ContentType.objects.get_for_model(Adoption)
    for name, actions in ADOPTION_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        granted = _perms("practices", "adoption", actions)
        group.permissions.add(admin_access, *granted)
        # Exactly these on adoptions: a grant withdrawn here is withdrawn on every site.
        group.permissions.remove(
            *group.permissions.filter(content_type=adoption_type).exclude(
                pk__in=[p.pk for p in granted]
            )
        )
        groups[name] = group
    editors = groups[EDITORS]
    for app_label, model in REFERENCE_MODELS:
        editors.permissions.add(*_perms(app_label, model, ["add", "change", "delete", "view"]))
    root = Page.get_first_root_node()
    if root is not None:
        for permission in ["add_page", "change_page", "publish_page", "delete_page"]:
            GroupPagePermission.objects.get_or_create(
                group=editors, page=root, permission=Permission.objects.get(codename=permission)
            )

    task = review_task()
    task.groups.add(groups[REVIEWERS])
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME)
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    WorkflowContentType.objects.update_or_create(
        content_type=ContentType.objects.get_for_model(Adoption),
        defaults={"workflow": workflow},
    )
    return groups, workflow


def review_task():
    """The reviewers' task, an `AdoptionReviewTask`. An installation set up before that type
    existed has a plain `GroupApprovalTask` of the same name: it becomes the new type in place,
    so its workflows, groups and the reviews under way keep pointing at it."""
    from django.contrib.contenttypes.models import ContentType

    from wagtail.models import GroupApprovalTask, Task

    from reporting.models import AdoptionReviewTask

    task = AdoptionReviewTask.objects.filter(name=TASK_NAME).first()
    if task is not None:
        return task
    legacy = GroupApprovalTask.objects.filter(name=TASK_NAME).first()
    if legacy is None:
        return AdoptionReviewTask.objects.create(name=TASK_NAME)
    # Add only the child row (raw save skips the parents, which exist already) and retype
    # the task, so `.specific` now gives the new class.
    AdoptionReviewTask(
        id=legacy.pk, task_ptr_id=legacy.pk, groupapprovaltask_ptr_id=legacy.pk
    ).save_base(raw=True, force_insert=True)
    Task.objects.filter(pk=legacy.pk).update(
        content_type=ContentType.objects.get_for_model(AdoptionReviewTask)
    )
    return AdoptionReviewTask.objects.get(pk=legacy.pk)

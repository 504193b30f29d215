"""The end of an approved review, named by `WAGTAIL_FINISH_WORKFLOW_ACTION`.

Wagtail imports it while its own models load, so this module imports nothing at the top.
"""


def publish_approved(workflow_state, user=None):
    """What an approved workflow does at its end (`WAGTAIL_FINISH_WORKFLOW_ACTION`): publish
    the latest revision, as Wagtail's own action does.

    For an adoption the approval is the authority to publish: the workflow's views let only
    those the review task names approve (`AdoptionReviewTask.get_actions`), and reviewers do
    not hold "publish", so that nothing else they press makes a report public. Other objects
    keep Wagtail's check of the approver's "publish" permission.
    """
    from practices.models import Adoption

    obj = workflow_state.content_object
    revision = obj.get_latest_revision()
    revision.publish(user=user, skip_permission_checks=isinstance(obj, Adoption))

"""Reads of the reporting admin: each report's review state, and a reporter's dashboard.

Both take a fixed number of queries whatever the number of reports: the state is an
annotation (a subquery on the record's active workflow state), never a property read row by
row.
"""

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, CharField, Count, F, OuterRef, Subquery, Value, When
from django.db.models.expressions import Window
from django.db.models.functions import Cast, RowNumber

from wagtail.models import WorkflowState

from reporting.states import ReviewState

DASHBOARD_ROWS_PER_STATE = 10


def _active_workflow_states():
    """The record's active workflow state (Wagtail allows one: in progress or needs changes),
    for use as a subquery of an adoption queryset."""
    from practices.models import Adoption

    return WorkflowState.objects.filter(
        base_content_type=ContentType.objects.get_for_model(Adoption),
        object_id=Cast(OuterRef("pk"), CharField()),
        status__in=[WorkflowState.STATUS_IN_PROGRESS, WorkflowState.STATUS_NEEDS_CHANGES],
    )


def with_review_state(queryset):
    """`queryset` of adoptions with `review_state` (a `ReviewState` value).

    - a workflow waiting on the reporter's changes: returned, live or not (the reporter has
      work to do either way);
    - a workflow in progress: waiting, or published with a change waiting when live;
    - no active workflow: published when live (with an unsent draft when it has unpublished
      changes, Wagtail's own flag), otherwise a draft (never submitted, or withdrawn).
    """
    workflow_status = Subquery(_active_workflow_states().values("status")[:1])
    return queryset.annotate(
        _workflow_status=workflow_status,
        review_state=Case(
            When(
                _workflow_status=WorkflowState.STATUS_NEEDS_CHANGES,
                then=Value(ReviewState.RETURNED.value),
            ),
            When(
                _workflow_status=WorkflowState.STATUS_IN_PROGRESS,
                live=True,
                then=Value(ReviewState.PUBLISHED_PENDING.value),
            ),
            When(
                _workflow_status=WorkflowState.STATUS_IN_PROGRESS,
                then=Value(ReviewState.WAITING.value),
            ),
            When(
                live=True,
                has_unpublished_changes=True,
                then=Value(ReviewState.PUBLISHED_DRAFT.value),
            ),
            When(live=True, then=Value(ReviewState.PUBLISHED.value)),
            default=Value(ReviewState.DRAFT.value),
            output_field=CharField(),
        ),
    )


def _with_return(queryset):
    """Adds, for returned reports, the reviewer's comment, who returned it and when (the
    rejected task state the active workflow state points at)."""
    returned = _active_workflow_states().filter(status=WorkflowState.STATUS_NEEDS_CHANGES)
    return queryset.annotate(
        return_comment=Subquery(returned.values("current_task_state__comment")[:1]),
        returned_at=Subquery(returned.values("current_task_state__finished_at")[:1]),
        returned_by_id=Subquery(returned.values("current_task_state__finished_by")[:1]),
    )


def reporter_dashboard(user):
    """The reports `user` may read, grouped by review state in `ReviewState`'s order (returned
    first): a list of (state, count, rows), rows being the newest
    `DASHBOARD_ROWS_PER_STATE` of that state, with the return's comment on returned ones.
    States without reports are left out. Three queries, whatever the number of reports."""
    from reporting.permissions import adoption_policy

    visible = with_review_state(adoption_policy().visible_to(user))
    counts = dict(visible.order_by().values_list("review_state").annotate(n=Count("pk")))
    if not counts:
        return []
    rows = list(
        _with_return(visible)
        .select_related("agency", "practice")
        .annotate(
            _rank=Window(
                RowNumber(),
                partition_by=[F("review_state")],
                order_by=[F("updated_at").desc(), F("pk").desc()],
            )
        )
        .filter(_rank__lte=DASHBOARD_ROWS_PER_STATE)
        .order_by("-updated_at", "-pk")
    )
    reviewers = get_user_model().objects.in_bulk(
        {row.returned_by_id for row in rows if row.returned_by_id}
    )
    for row in rows:
        row.returned_by = reviewers.get(row.returned_by_id)
    groups = []
    for state in ReviewState:
        if counts.get(state.value):
            state_rows = [row for row in rows if row.review_state == state.value]
            groups.append((state, counts[state.value], state_rows))
    return groups

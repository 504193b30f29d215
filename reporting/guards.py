"""The admin doors to adoption records, each asking the permission policy.

Wagtail's generic views check model permissions, and each receives its record its own way
(URL keyword arguments, `setup()` arguments, a `get_object(pk)` call, `?id=` parameters of
bulk actions and of the chooser). So the checks sit where every one of those routes passes:

- `guard_record_view` wraps each view function the adoption viewsets construct. Every URL
  of one record names it `pk`; the guard loads that record and asks the policy before the
  view runs, whatever the view does with it afterwards. A method that only reads (GET) needs
  "view", any other needs "change".
- The chooser, the bulk actions and the site history list records from query parameters or
  from everything at once: they take their rows from the policy's querysets.
"""

from functools import wraps

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import BooleanField, Case, Value, When
from django.http import Http404
from django.shortcuts import get_list_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext

from wagtail.admin import messages
from wagtail.admin.ui.tables import LiveStatusTagColumn, StatusTagColumn
from wagtail.models import TaskState
from wagtail.snippets.bulk_actions.delete import DeleteBulkAction
from wagtail.snippets.views import chooser

from practices.admin_search import AdoptionSearchForm
from practices.models import Adoption
from reporting.permissions import (
    adoption_policy,
    agency_scope,
    ended_agencies,
    ended_unit_message,
    is_national,
    readable_agency_scope,
    refusal_message,
)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# URL arguments of the adoption views besides `pk`. Wagtail resolves each against the record
# named by `pk` (its revisions, workflow states, tasks), except the task state, checked below.
# An argument not listed here is refused to anyone the policy limits: a view that a newer
# Wagtail adds stays closed to reporters until it has been looked at.
SECONDARY_ARGUMENTS = frozenset(
    {
        "revision_id",
        "revision_id_a",
        "revision_id_b",
        "action_name",
        "task_state_id",
        "task_id",
        "workflow_state_id",
    }
)


def _is_ajax(request):
    return request.headers.get("x-requested-with") == "XMLHttpRequest"


def _record(pk):
    try:
        pk = Adoption._meta.pk.to_python(unquote(str(pk)))
        return Adoption.objects.select_related("agency").get(pk=pk)
    except (Adoption.DoesNotExist, ValidationError, ValueError):
        raise Http404 from None


def _check_task_state(record, task_state_id):
    belongs = TaskState.objects.filter(
        pk=task_state_id,
        workflow_state__base_content_type=record.get_base_content_type(),
        workflow_state__object_id=str(record.pk),
    ).exists()
    if not belongs:
        raise Http404


def guard_record_view(view, view_name=None, edit_url_name=None, list_url_name=None):
    """`view`, asking the adoption permission policy first about the record its URL names."""
    # The list page (not its results, fetched by script) says why nothing can be added.
    explains_ended = view_name == "list" and not getattr(view, "view_initkwargs", {}).get(
        "results_only"
    )

    @wraps(view)
    def guarded(request, *args, **kwargs):
        user = request.user
        unknown = set(kwargs) - {"pk"} - SECONDARY_ARGUMENTS
        if unknown and not is_national(user):
            raise PermissionDenied
        if "pk" in kwargs:
            record = _record(kwargs["pk"])
            if "task_state_id" in kwargs:
                _check_task_state(record, kwargs["task_state_id"])
            refused = _refuse_record(request, record, edit_url_name)
            if refused is not None:
                return refused
        elif view_name == "create" and not adoption_policy().user_has_permission(user, "add"):
            return _refuse_creation(request, list_url_name)
        elif explains_ended and request.method == "GET" and not _is_ajax(request):
            ended = ended_agencies(user)
            if ended and agency_scope(user) == set():
                messages.warning(request, ended_unit_message(ended[-1]))
        return view(request, *args, **kwargs)

    return guarded


def _refuse_record(request, record, edit_url_name):
    policy = adoption_policy()
    action = "view" if request.method in SAFE_METHODS else "change"
    if policy.user_has_permission_for_instance(request.user, action, record):
        return None
    message = refusal_message(request.user, action, record)
    if message is None or _is_ajax(request) or edit_url_name is None:
        # Wagtail's answer: 403 to scripts, back to the dashboard with a message otherwise.
        raise PermissionDenied
    # The record can still be read (its unit has ended): back to it, saying why.
    messages.error(request, message)
    return redirect(reverse(edit_url_name, args=[record.pk]))


def _refuse_creation(request, list_url_name):
    ended = ended_agencies(request.user)
    if not ended or _is_ajax(request) or list_url_name is None:
        raise PermissionDenied
    messages.error(request, ended_unit_message(ended[-1]))
    return redirect(reverse(list_url_name))


# == Bulk actions ==


class ScopedBulkActionMixin:
    """A bulk action over adoptions sees only the records the user may read: others are
    neither listed on its confirmation page nor acted on."""

    def get_all_objects_in_listing_query(self, parent_id):
        return adoption_policy().visible_to(self.request.user).values_list("pk", flat=True)

    def get_queryset(self, model, object_ids):
        ids = [value for value in map(str, object_ids) if value.isdigit()]
        return get_list_or_404(adoption_policy().visible_to(self.request.user), pk__in=ids)


class AdoptionDeleteBulkAction(ScopedBulkActionMixin, DeleteBulkAction):
    models = [Adoption]


# == The chooser ("Học tập từ") ==


class ChooserScopeMixin:
    """The chooser offers the records the user may name as a source: public ones and those
    they may read. Of the others' records it shows no draft state. Its search box finds agency
    names and practice titles with or without diacritics (practices.admin_search)."""

    filter_form_class = AdoptionSearchForm

    def get_object_list(self):
        user = self.request.user
        objects = adoption_policy().sources_for(user).select_related("agency", "practice")
        scope = readable_agency_scope(user)
        if scope is None:
            return objects
        return objects.annotate(
            readable=Case(
                When(agency_id__in=scope, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )

    def can_create(self):
        # An adoption is reported in its own form, with its workflow: not from a modal.
        return False

    @property
    def columns(self):
        columns = []
        for column in super().columns:
            if isinstance(column, LiveStatusTagColumn):
                column = StatusTagColumn(
                    "status_string",
                    label=column.label,
                    accessor=lambda obj: (
                        obj.status_string if getattr(obj, "readable", True) else gettext("live")
                    ),
                    primary=lambda obj: obj.live,
                )
            columns.append(column)
        return columns


class ChooseView(ChooserScopeMixin, chooser.ChooseView):
    pass


class ChooseResultsView(ChooserScopeMixin, chooser.ChooseResultsView):
    pass


class ChosenView(chooser.SnippetChosenView):
    def get_object(self, pk):
        try:
            return adoption_policy().sources_for(self.request.user).get(pk=int(pk))
        except ValueError:
            raise Adoption.DoesNotExist from None


class ChosenMultipleView(chooser.SnippetChosenMultipleView):
    def get_objects(self, pks):
        ids = [value for value in map(str, pks) if value.isdigit()]
        return adoption_policy().sources_for(self.request.user).filter(pk__in=ids)


class CreateView(chooser.SnippetCreateView):
    def can_create(self):
        return False


class AdoptionChooserViewSet(chooser.SnippetChooserViewSet):
    choose_view_class = ChooseView
    choose_results_view_class = ChooseResultsView
    chosen_view_class = ChosenView
    chosen_multiple_view_class = ChosenMultipleView
    create_view_class = CreateView


# == Site history ==


def national_only(view):
    """Site history is the national users': Wagtail shows it to anyone with any adoption
    permission, with the entries (titles, users) of every agency's records."""

    @wraps(view)
    def national(request, *args, **kwargs):
        if not is_national(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return national

"""The chooser of agencies ("Chọn cơ quan, đơn vị"), wherever a form names one.

A reporter is offered only the units they may report for (reporting.permissions: their
agencies, the units that became them, and the departments of these); national users every
unit. Each unit is labelled with its period, as two units may carry one name ("Tỉnh Bắc Ninh
(đến 30/06/2025)" and "Tỉnh Bắc Ninh (từ 01/07/2025)"), and the search finds names with or
without diacritics.
"""

from django.db.models import F

from wagtail.snippets.views import chooser
from wagtail.snippets.widgets import AdminSnippetChooser

from practices.admin_search import AgencySearchForm
from practices.models import Agency
from practices.periods import labelled
from reporting.permissions import agency_scope


def offered_to(user, queryset):
    scope = agency_scope(user)
    return queryset if scope is None else queryset.filter(pk__in=scope)


class LabelledChoicesMixin:
    def get_display_title(self, instance):
        return labelled(instance)


class ChooseMixin:
    filter_form_class = AgencySearchForm

    def get_object_list(self):
        # Alphabetical; units of one name by period, the older first (on every database:
        # a unit without a start date is the oldest).
        objects = (
            super()
            .get_object_list()
            .order_by("sort_name", F("valid_from").asc(nulls_first=True), "pk")
        )
        return offered_to(self.request.user, objects)

    @property
    def title_column(self):
        column = super().title_column
        column.accessor = labelled
        column.label = "Tên cơ quan, đơn vị (thời kỳ)"  # Wagtail's "Tiêu đề" is a page's word
        return column


class ChooseView(ChooseMixin, chooser.ChooseView):
    pass


class ChooseResultsView(ChooseMixin, chooser.ChooseResultsView):
    pass


class ChosenView(LabelledChoicesMixin, chooser.SnippetChosenView):
    def get_object(self, pk):
        try:
            return offered_to(self.request.user, Agency.objects.all()).get(pk=int(pk))
        except ValueError:
            raise Agency.DoesNotExist from None


class ChosenMultipleView(LabelledChoicesMixin, chooser.SnippetChosenMultipleView):
    def get_objects(self, pks):
        ids = [value for value in map(str, pks) if value.isdigit()]
        return offered_to(self.request.user, Agency.objects.filter(pk__in=ids))


class CreateView(LabelledChoicesMixin, chooser.SnippetCreateView):
    pass


class AgencyChooserWidget(LabelledChoicesMixin, AdminSnippetChooser):
    """The chosen unit shown in the form with its period."""


class AgencyChooserViewSet(chooser.SnippetChooserViewSet):
    choose_view_class = ChooseView
    choose_results_view_class = ChooseResultsView
    chosen_view_class = ChosenView
    chosen_multiple_view_class = ChosenMultipleView
    create_view_class = CreateView
    base_widget_class = AgencyChooserWidget

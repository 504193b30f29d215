from django import forms

from wagtail.admin.forms import WagtailAdminModelForm

from practices.models import Agency
from reporting.permissions import agency_scope


class AdoptionForm(WagtailAdminModelForm):
    """The adoption form; a reporter can only choose the agencies they report for."""

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        self.scope = agency_scope(for_user) if for_user is not None else None
        if self.scope is not None and "agency" in self.fields:
            self.fields["agency"].queryset = Agency.objects.filter(pk__in=self.scope)

    def clean_agency(self):
        agency = self.cleaned_data.get("agency")
        if self.scope is not None and agency is not None and agency.pk not in self.scope:
            raise forms.ValidationError("Bạn chỉ được báo cáo cho cơ quan của mình.")
        return agency

from django import forms
from django.template.defaultfilters import filesizeformat

from wagtail.admin.forms import WagtailAdminModelForm

from practices.models import Agency
from practices.validators import evidence_max_bytes
from reporting.permissions import agency_scope


class AdoptionForm(WagtailAdminModelForm):
    """The adoption form; a reporter can only choose the agencies they report for."""

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        self.scope = agency_scope(for_user) if for_user is not None else None
        if self.scope is not None and "agency" in self.fields:
            self.fields["agency"].queryset = Agency.objects.filter(pk__in=self.scope)
        if "evidence_file" in self.fields:
            field = self.fields["evidence_file"]
            field.help_text = (
                f"{field.help_text} Dung lượng tối đa {filesizeformat(evidence_max_bytes())}."
            )
            field.widget.attrs.setdefault(
                "accept", "application/pdf,image/png,image/jpeg,image/webp"
            )

    def clean_agency(self):
        agency = self.cleaned_data.get("agency")
        if self.scope is not None and agency is not None and agency.pk not in self.scope:
            raise forms.ValidationError("Bạn chỉ được báo cáo cho cơ quan của mình.")
        return agency

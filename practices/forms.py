import datetime

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from wagtail.admin.forms import WagtailAdminModelForm

from practices.models import Agency, AgencyKind, EvidenceLevel
from practices.periods import labelled, outside_period
from practices.validators import evidence_max_bytes
from reporting.permissions import (
    adoption_policy,
    agency_scope,
    ended_unit_message,
    is_national,
    readable_agency_scope,
)

OWN_AGENCIES_ONLY = (
    "Đơn vị này không thuộc phạm vi báo cáo của bạn. Bạn báo cáo cho: {units}, cùng các đơn vị "
    "trực thuộc. Hãy chọn lại trong danh sách."
)
SOURCE_NOT_ALLOWED = (
    "Chỉ chọn được một kết quả đã công bố, hoặc một báo cáo của cơ quan mình, làm nơi “học tập từ”."
)
VERIFIED_BY_REVIEWERS_ONLY = (
    "Chỉ thẩm định viên mới ghi mức “Đã thẩm định”, khi duyệt báo cáo sau khi kiểm tra minh "
    "chứng. Hãy chọn “Tự khai báo” hoặc “Có văn bản, tài liệu”."
)


class AdoptionForm(WagtailAdminModelForm):
    """The adoption form; a reporter can only choose the agencies they report for (filled in
    when there is one), names as "Học tập từ" only a public record or one of their own, and
    cannot set the evidence level `verified` (a reviewer's check sets it, see
    reporting.review)."""

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        self.scope = agency_scope(for_user) if for_user is not None else None
        if self.scope is not None and "agency" in self.fields:
            # Units whose records the reporter reads pass the field, so that one that has
            # ended gets its own message from clean_agency; any other is not a choice.
            field = self.fields["agency"]
            field.queryset = Agency.objects.filter(pk__in=readable_agency_scope(for_user))
            # Django formats this message with the refused value: a "%" of a name stays one.
            field.error_messages["invalid_choice"] = self.own_agencies_only().replace("%", "%%")
            if len(self.scope) == 1 and self.instance.pk is None:
                # One unit to report for: nothing to choose.
                self.initial.setdefault("agency", next(iter(self.scope)))
        if for_user is not None and "adapted_from" in self.fields:
            field = self.fields["adapted_from"]
            field.queryset = adoption_policy().sources_for(for_user)
            field.error_messages["invalid_choice"] = SOURCE_NOT_ALLOWED
        if "evidence_file" in self.fields:
            field = self.fields["evidence_file"]
            field.help_text = (
                f"{field.help_text} Dung lượng tối đa {filesizeformat(evidence_max_bytes())}."
            )
            field.widget.attrs.setdefault(
                "accept", "application/pdf,image/png,image/jpeg,image/webp"
            )
        self.may_verify = for_user is None or is_national(for_user)
        if not self.may_verify:
            # The document library is the national editors'; a reporter uploads a file or
            # gives a link instead.
            self.fields.pop("evidence_document", None)
        if not self.may_verify and "evidence_level" in self.fields:
            field = self.fields["evidence_level"]
            # Only the widget loses the choice, so a posted `verified` reaches
            # clean_evidence_level and gets its own message.
            field.widget.choices = [c for c in field.choices if c[0] != EvidenceLevel.VERIFIED]
            field.help_text = (
                "Mức “Đã thẩm định” do thẩm định viên ghi khi duyệt, sau khi kiểm tra minh chứng."
            )
            if self.instance.evidence_level == EvidenceLevel.VERIFIED:
                # The reporter is changing a checked report: the check no longer covers it.
                self.initial["evidence_level"] = EvidenceLevel.DOCUMENTED

    def clean_agency(self):
        agency = self.cleaned_data.get("agency")
        if self.scope is not None and agency is not None and agency.pk not in self.scope:
            if agency.pk in readable_agency_scope(self.for_user):
                raise forms.ValidationError(ended_unit_message(agency))
            raise forms.ValidationError(self.own_agencies_only())
        return agency

    def own_agencies_only(self):
        """Why a unit is refused, naming the units the reporter reports for: the current ones
        first, then those that became them."""
        units = Agency.objects.filter(pk__in=self.scope).exclude(kind=AgencyKind.DEPARTMENT)
        units = sorted(units, key=lambda unit: (not unit.is_current, unit.sort_name))
        names = "; ".join(labelled(unit) for unit in units) or "không đơn vị nào"
        return OWN_AGENCIES_ONLY.format(units=names)

    def clean(self):
        cleaned = super().clean()
        self.check_steps(cleaned.get("agency"), cleaned.get("status"), cleaned.get("decided_on"))
        return cleaned

    def check_steps(self, agency, status, decided_on):
        """Each earlier step falls in the unit's period and not after the current decision:
        the history is the unit's and leads to the status above. The latest step, when of the
        current status, is the current one and takes its date on saving (record_step)."""
        formset = self.formsets.get("steps")
        if formset is None:
            return
        latest_allowed = timezone.localdate() + datetime.timedelta(days=366)
        dated = [
            form
            for form in formset.forms
            if form.is_valid()
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("on") is not None
        ]
        current = max(dated, key=lambda form: form.cleaned_data["on"], default=None)
        for form in dated:
            on = form.cleaned_data["on"]
            if form is current and form.cleaned_data.get("status") == status:
                continue
            if on > latest_allowed:
                form.add_error("on", "Ngày của bước quá xa trong tương lai.")
            elif agency is not None and not agency.is_valid_on(on):
                form.add_error("on", outside_period(agency, on))
            elif decided_on is not None and on > decided_on:
                form.add_error(
                    "on",
                    f"Bước này ({on:%d/%m/%Y}) sau ngày quyết định của trạng thái hiện tại "
                    f"({decided_on:%d/%m/%Y}): các bước là lịch sử dẫn tới trạng thái đó. "
                    "Hãy sửa ngày, hoặc đổi trạng thái và ngày quyết định ở trên.",
                )

    def clean_evidence_level(self):
        level = self.cleaned_data.get("evidence_level")
        if not self.may_verify and level == EvidenceLevel.VERIFIED:
            raise forms.ValidationError(VERIFIED_BY_REVIEWERS_ONLY)
        return level

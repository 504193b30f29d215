"""The admin form that makes a user a reporter for an agency."""

from django import forms
from django.contrib.auth.models import Group

from wagtail.admin.forms import WagtailAdminModelForm

from reporting.permissions import is_national
from reporting.roles import REPORTERS


class MembershipForm(WagtailAdminModelForm):
    def clean_user(self):
        user = self.cleaned_data.get("user")
        if user is not None and is_national(user):
            raise forms.ValidationError(
                "Người dùng này là thẩm định viên, biên tập viên quốc gia hoặc quản trị viên: "
                "đã làm việc với mọi cơ quan, không cần gán."
            )
        return user

    def save(self, commit=True):
        membership = super().save(commit=commit)
        if commit:
            # Assigning an agency is what makes a reporter: the group gives the admin access
            # and the adoption permissions, the membership limits them to the agency.
            membership.user.groups.add(Group.objects.get(name=REPORTERS))
        return membership

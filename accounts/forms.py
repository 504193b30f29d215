from django import forms
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy

from wagtail.admin.forms.auth import LoginForm

from django_otp.models import VerifyNotAllowed
from django_otp.plugins.otp_totp.models import TOTPDevice


class TokenForm(forms.Form):
    """Checks a six-digit code against one TOTP device. A wrong code counts against the device
    (django-otp's throttling: each failure doubles the wait before the next try)."""

    otp_token = forms.CharField(
        label="Mã xác thực",
        help_text="Sáu chữ số đang hiện trong ứng dụng xác thực trên điện thoại của bạn.",
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def __init__(self, device, *args, **kwargs):
        self.device = device
        self.wrong_code = False
        super().__init__(*args, **kwargs)

    def clean_otp_token(self):
        token = "".join(self.cleaned_data["otp_token"].split())
        # The throttling counter must be saved even though the form then fails, so the check
        # runs in its own transaction and the error is raised after it.
        with transaction.atomic():
            device = TOTPDevice.objects.select_for_update().get(pk=self.device.pk)
            allowed, extra = device.verify_is_allowed()
            verified = allowed and token.isdigit() and device.verify_token(token)
        if not allowed:
            raise forms.ValidationError(_throttled_message(extra), code="throttled")
        if not verified:
            self.wrong_code = True
            raise forms.ValidationError(
                "Mã xác thực không đúng hoặc đã hết hạn. Hãy nhập mã đang hiện trong ứng dụng.",
                code="invalid",
            )
        self.device = device
        return token


def _throttled_message(extra):
    extra = extra or {}
    if extra.get("reason") == VerifyNotAllowed.N_FAILED_ATTEMPTS and extra.get("locked_until"):
        until = timezone.localtime(extra["locked_until"])
        return (
            f"Đã nhập sai mã {extra['failure_count']} lần. Vui lòng thử lại sau "
            f"{date_format(until, 'H:i:s')}."
        )
    return "Tạm thời chưa thể kiểm tra mã. Vui lòng thử lại sau ít phút."


class AdminLoginForm(LoginForm):
    """Wagtail's sign-in form. Wagtail declares its password field without a label, so the
    label would be the field's name, "Password", in every language; Django's own catalogue
    has the word (WAGTAILADMIN_USER_LOGIN_FORM)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].label = gettext_lazy("Password")

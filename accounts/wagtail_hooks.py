from django.urls import reverse

from wagtail import hooks
from wagtail.admin.widgets import Button


@hooks.register("register_account_menu_item")
def two_factor_settings(request):
    return {
        "url": reverse("accounts_devices"),
        "label": "Xác thực hai bước",
        "help_text": "Bật, xem hoặc gỡ ứng dụng xác thực dùng khi đăng nhập.",
    }


@hooks.register("register_user_listing_buttons")
def reset_two_factor(user, request_user):
    if request_user.is_superuser:
        yield Button(
            "Xác thực hai bước",
            reverse("accounts_user_devices", args=[user.pk]),
            icon_name="key",
            priority=90,
        )

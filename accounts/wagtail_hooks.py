from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html

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


@hooks.register("insert_global_admin_js")
def start_widgets_without_inline_scripts():
    return format_html('<script src="{}"></script>', static("js/admin-init.js"))

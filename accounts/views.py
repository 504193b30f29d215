import logging
import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, logout, user_login_failed
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from wagtail.admin.auth import require_admin_access
from wagtail.admin.views.account import LogoutView as WagtailLogoutView

import django_otp
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off

from accounts import devices, policy
from accounts.forms import TokenForm
from accounts.queries import locked_until

logger = logging.getLogger(__name__)

admin_login_required = login_required(login_url="wagtailadmin_login")


def _next_url(request, default):
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def lockout(request, original_response=None, credentials=None):
    """Axes' lockout response (AXES_LOCKOUT_CALLABLE): a Vietnamese page saying until when."""
    cool_off = get_cool_off(request)
    username = get_client_username(request, credentials) or ""
    until = locked_until(username, getattr(request, "axes_ip_address", None), cool_off)
    seconds = max(0, math.ceil((until - timezone.now()).total_seconds()))
    response = TemplateResponse(
        request,
        "accounts/lockout.html",
        {
            "until": timezone.localtime(until),
            "minutes": max(1, math.ceil(seconds / 60)),
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "cool_off_minutes": int(cool_off.total_seconds() // 60),
        },
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response.render()


def _count_wrong_code(request, user):
    """A wrong code counts as a failed sign-in in Axes, for this account and this address: the
    same lockout stops guessing codes as stops guessing passwords."""
    user_login_failed.send(
        sender=__name__, credentials={"username": user.get_username()}, request=request
    )
    return bool(getattr(request, "axes_locked_out", False))


def _lock_out(request, user):
    credentials = {"username": user.get_username()}
    logout(request)
    return lockout(request, None, credentials)


@sensitive_post_parameters("otp_token")
@never_cache
@admin_login_required
def verify(request):
    """Second step of signing in: the code from the user's authenticator app."""
    user = request.user
    device = devices.confirmed_device(user)
    next_url = _next_url(request, reverse("wagtailadmin_home"))
    if device is None:
        if policy.pending_step(user):
            return redirect_to_login(next_url, login_url=reverse("accounts_enrol"))
        return redirect(next_url)
    if user.is_verified():
        return redirect(next_url)
    if not AxesProxyHandler.is_allowed(request, {"username": user.get_username()}):
        return _lock_out(request, user)
    form = TokenForm(device, request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            django_otp.login(request, form.device)
            return redirect(next_url)
        if form.wrong_code and _count_wrong_code(request, user):
            return _lock_out(request, user)
    return TemplateResponse(request, "accounts/verify.html", {"form": form, "next": next_url})


@sensitive_post_parameters("otp_token")
@never_cache
@admin_login_required
def enrol(request):
    """Add an authenticator app: scan the QR code (or type the key), then confirm with a code."""
    user = request.user
    if devices.confirmed_device(user) is not None:
        messages.info(request, "Bạn đã có một thiết bị xác thực hai bước.")
        return redirect("accounts_devices")
    device = devices.pending_device(user)
    default_next = reverse("accounts_devices")
    next_url = _next_url(request, default_next)
    form = TokenForm(device, request.POST or None)
    if request.method == "POST" and form.is_valid():
        devices.confirm(form.device)
        django_otp.login(request, form.device)
        messages.success(request, "Đã bật xác thực hai bước cho tài khoản của bạn.")
        return redirect(next_url)
    return TemplateResponse(
        request,
        "accounts/enrol.html",
        {
            "form": form,
            "next": next_url if next_url != default_next else "",
            "qr_svg": devices.qr_svg(device),
            "secret": devices.secret_for_typing(device),
            "required": policy.second_factor_required(user),
        },
    )


@never_cache
@require_admin_access
@require_http_methods(["GET", "POST"])
def my_devices(request):
    """The user's own two-factor settings (account menu): see, add or remove the device."""
    user = request.user
    device = devices.confirmed_device(user)
    if request.method == "POST" and device is not None:
        devices.remove_devices(user)
        logger.warning("Two-factor device removed by its owner %s", user.get_username())
        messages.success(request, "Đã gỡ thiết bị xác thực hai bước.")
        return redirect("accounts_devices")
    return TemplateResponse(
        request,
        "accounts/devices.html",
        {"device": device, "required": policy.second_factor_required(user)},
    )


@never_cache
@require_admin_access
@require_http_methods(["GET", "POST"])
def user_devices(request, user_id):
    """An administrator resets a user's lost device: the user then enrols again at next sign-in."""
    if not request.user.is_superuser:
        raise PermissionDenied
    target = get_object_or_404(get_user_model(), pk=user_id)
    device = devices.confirmed_device(target)
    if request.method == "POST":
        removed = devices.remove_devices(target)
        logger.warning(
            "Two-factor devices of %s reset by %s (%d removed)",
            target.get_username(),
            request.user.get_username(),
            removed,
        )
        messages.success(
            request,
            f"Đã xoá thiết bị xác thực hai bước của {target.get_username()}. "
            "Lần đăng nhập tới, người dùng sẽ đăng ký lại.",
        )
        return redirect("wagtailusers_users:index")
    return TemplateResponse(
        request, "accounts/user_devices.html", {"target": target, "device": device}
    )


class LogoutView(WagtailLogoutView):
    """Wagtail's logout deletes the cookie on any method, but Django's view logs out on POST only:
    a GET left the session alive on the server. Here a GET asks for confirmation with a POST
    form and changes nothing; a POST ends the session (its row is deleted)."""

    http_method_names = ["get", "head", "post", "options"]

    def dispatch(self, request, *args, **kwargs):
        if request.method in ("GET", "HEAD"):
            if not request.user.is_authenticated:
                return redirect("wagtailadmin_login")
            return TemplateResponse(request, "accounts/logout.html", {})
        return super().dispatch(request, *args, **kwargs)

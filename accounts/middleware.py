from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.urls import Resolver404, resolve, reverse

from accounts import policy, sessions

# What a signed-in user whose second factor is pending may still open.
SECOND_FACTOR_OPEN = {
    "accounts_verify",
    "accounts_enrol",
    "wagtailadmin_login",
    "wagtailadmin_logout",
    "wagtailadmin_javascript_catalog",
    "wagtailadmin_sprite",
}
# Requests the admin sends by itself while a page sits open: they do not count as activity.
PASSIVE_NAMESPACES = {"wagtailadmin_editing_sessions"}


def _match(request):
    try:
        return resolve(request.path_info)
    except Resolver404:
        return None


def in_admin(request):
    path = request.path_info
    return path.startswith(reverse("wagtailadmin_home")) or path.startswith(reverse("admin:index"))


class SessionTimeoutMiddleware:
    """Signs out a session that is idle or too old (accounts.sessions says why a middleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            if sessions.expired(request.session):
                logout(request)
                if in_admin(request):
                    messages.info(
                        request,
                        "Phiên làm việc đã hết hạn. Vui lòng đăng nhập lại.",
                    )
                    return redirect_to_login(
                        request.get_full_path(), login_url=reverse("wagtailadmin_login")
                    )
            else:
                match = _match(request)
                if match is None or match.namespace not in PASSIVE_NAMESPACES:
                    sessions.touch(request.session)
        return self.get_response(request)


class SecondFactorMiddleware:
    """Until a user who needs a second factor has given a code, the admin areas send them to the
    code (or enrolment) screen, and everywhere else they are an anonymous visitor: the password
    alone opens nothing that an anonymous visitor cannot see."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        step = policy.pending_step(request.user)
        if step is not None:
            match = _match(request)
            if match is not None and match.url_name in SECOND_FACTOR_OPEN:
                pass
            elif in_admin(request):
                return redirect_to_login(
                    request.get_full_path(), login_url=reverse(f"accounts_{step}")
                )
            else:
                request.user = AnonymousUser()
        return self.get_response(request)

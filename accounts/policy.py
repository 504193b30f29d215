"""Who needs a second factor, and what a signed-in user still has to do before the admin opens."""

from django.conf import settings

from django_otp import user_has_device

from reporting.roles import NATIONAL_GROUPS

VERIFY = "verify"
ENROL = "enrol"


def second_factor_required(user):
    """National reviewers and editors and superusers must enrol, where the setting says so
    (production). Reporters may enrol; they are never forced to."""
    if not settings.TWO_FACTOR_REQUIRED_FOR_NATIONAL:
        return False
    return user.is_superuser or user.groups.filter(name__in=NATIONAL_GROUPS).exists()


def pending_step(user):
    """VERIFY when the user has a device but this session has not given a code, ENROL when the
    user must have a device and has none, else None."""
    if not user.is_authenticated or user.is_verified():
        return None
    if user_has_device(user, confirmed=True):
        return VERIFY
    if second_factor_required(user):
        return ENROL
    return None

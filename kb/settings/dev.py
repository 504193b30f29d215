"""Local development: debug on, a throw-away secret, console email."""

from django.utils.log import DEFAULT_LOGGING

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = SECRET_KEY or "dev-only-not-secret-7f3b0c1e"  # noqa: F405, S105
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Serve static files straight from the app folders, without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Without REDIS_URL the rate-limit counters live in this process's memory, which is enough
# here (the development server is one process); production requires Redis.
if not REDIS_URL:  # noqa: F405
    SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "django_ratelimit.E003"]  # noqa: F405

# With DEBUG on, Django's own console handler prints the `django` loggers' messages, and the
# root handler (base) printed them again ("Watching for file changes" twice): here they go to
# the root handler only. Configuring `django` resets its children, so the server's request
# lines get their own handler and format back, as Django sets them.
LOGGING = {
    **LOGGING,  # noqa: F405
    "formatters": {**DEFAULT_LOGGING["formatters"], **LOGGING.get("formatters", {})},  # noqa: F405
    "handlers": {
        **LOGGING["handlers"],  # noqa: F405
        "django.server": DEFAULT_LOGGING["handlers"]["django.server"],
    },
    "loggers": {
        **LOGGING.get("loggers", {}),  # noqa: F405
        "django": {"level": "INFO"},
        "django.server": DEFAULT_LOGGING["loggers"]["django.server"],
    },
}

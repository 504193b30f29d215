"""Start the production settings in a fresh interpreter, as the server would, with a complete
environment that each test changes one value of."""

import os
import secrets
import subprocess
import sys

from django.conf import settings


def production_env(**overrides):
    env = {
        **os.environ,
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "example.org",
        "DATABASE_URL": "sqlite:///:memory:",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        **overrides,
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def run_production(code, **overrides):
    """Run `code` after `import kb.settings.production as s`; returns the finished process."""
    return subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-c", f"import kb.settings.production as s; {code}"],
        env=production_env(**overrides),
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

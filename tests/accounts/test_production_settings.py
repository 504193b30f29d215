"""kb.settings.production refuses a SECRET_KEY that `check --deploy` would warn about."""

import os
import secrets
import subprocess
import sys

from django.core.checks.security.base import _check_secret_key
from django.core.exceptions import ImproperlyConfigured

import pytest

WEAK_KEYS = {
    "empty": "",
    "short": secrets.token_urlsafe(30)[:49],
    "few distinct characters": "ab" * 40,
    "django-insecure prefix": "django-insecure-" + secrets.token_urlsafe(60),
}


def load_production(secret_key):
    """Import the production settings in a fresh interpreter, as the server would start."""
    env = {
        **os.environ,
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": "example.org",
        "DATABASE_URL": "sqlite:///:memory:",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(  # noqa: S603 - our own interpreter and module
        [
            sys.executable,
            "-c",
            "import kb.settings.production as p; print(p.TWO_FACTOR_REQUIRED_FOR_NATIONAL)",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("name", WEAK_KEYS)
def test_a_key_the_deploy_check_would_warn_about_is_refused_at_start(name):
    key = WEAK_KEYS[name]
    assert not _check_secret_key(key)  # Django's own deploy check agrees it is weak
    result = load_production(key)
    assert result.returncode != 0
    assert ImproperlyConfigured.__name__ in result.stderr
    assert "SECRET_KEY" in result.stderr.splitlines()[-1]


def test_a_strong_key_starts_and_two_factor_is_required():
    key = secrets.token_urlsafe(64)
    assert _check_secret_key(key)
    result = load_production(key)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"

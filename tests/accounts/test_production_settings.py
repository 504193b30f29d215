"""kb.settings.production refuses a SECRET_KEY that `check --deploy` would warn about."""

import secrets

from django.core.checks.security.base import _check_secret_key
from django.core.exceptions import ImproperlyConfigured

import pytest

from tests.production import run_production

WEAK_KEYS = {
    "empty": "",
    "short": secrets.token_urlsafe(30)[:49],
    "few distinct characters": "ab" * 40,
    "django-insecure prefix": "django-insecure-" + secrets.token_urlsafe(60),
}


def load_production(secret_key):
    return run_production("print(s.TWO_FACTOR_REQUIRED_FOR_NATIONAL)", SECRET_KEY=secret_key)


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

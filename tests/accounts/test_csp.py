"""Content-Security-Policy on every response: scripts only from our origin (or with the
request's nonce), never inline without one."""

import pytest


def policy(response):
    header = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


@pytest.mark.parametrize("path", ["/", "/sang-kien/", "/tim-kiem/?q=ho+so", "/admin/login/"])
def test_pages_carry_a_policy_without_inline_scripts(client, seeded, path):
    directives = policy(client.get(path))
    assert directives["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'self'"]

"""Under the development settings each of Django's console messages is printed once (the
autoreloader's "Watching for file changes" came out twice), and the server's request lines keep
their own format."""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# What runserver's autoreloader and its request log say, through Django's own loggers.
LOG_AS_DJANGO = """
import django, logging
django.setup()
logging.getLogger("django.utils.autoreload").info("Watching for file changes with StatReloader")
logging.getLogger("django.server").info('"%s" %s %s', "GET / HTTP/1.1", "200", "9988")
logging.getLogger("django.request").warning("Not Found: /khong-co/")
"""


def test_django_console_messages_are_printed_once_under_dev_settings(tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in {"DEBUG", "LOG_LEVEL"}} | {
        "DJANGO_SETTINGS_MODULE": "kb.settings.dev",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", LOG_AS_DJANGO],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert lines.count("Watching for file changes with StatReloader") == 1, lines
    served = [line for line in lines if "GET / HTTP/1.1" in line]
    assert len(served) == 1, lines
    assert served[0].startswith("[") and served[0].endswith('] "GET / HTTP/1.1" 200 9988')
    assert lines.count("Not Found: /khong-co/") == 1, lines

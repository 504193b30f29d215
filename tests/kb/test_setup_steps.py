"""What `make run` prints before the server starts: one line per set-up step, then the demo
logins in a box, the migrations and pip's output in log files; a failed step shows the end of
its log and says where the log is.

scripts/step.sh is tested directly (fast); the Makefile's own set-up (`make setup`, what
`make run` does before serving) runs on a fresh SQLite database (marker `makefile`)."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
STEP = REPO / "scripts" / "step.sh"
STEP_LINE = re.compile(r"^  (?P<label>\S.*?) … (?:xong \(\d+ giây\) · (?P<log>\S+)|đã cài)$")


def step(tmp_path, *args, show=False):
    log = tmp_path / "log" / "step.log"
    command = ["bash", str(STEP), *(["--show"] if show else []), "Bước thử", str(log), *args]
    result = subprocess.run(  # noqa: S603 - our own script, fixed arguments
        command, capture_output=True, text=True, timeout=60
    )
    return result, log


def test_a_step_prints_one_line_and_logs_the_rest(tmp_path):
    result, log = step(tmp_path, "sh", "-c", "echo dòng một; echo dòng hai >&2")
    assert result.returncode == 0
    assert STEP_LINE.match(result.stdout.rstrip("\n"))["log"] == str(log)
    assert result.stdout.count("\n") == 1
    assert "dòng một" in log.read_text() and "dòng hai" in log.read_text()


def test_a_failed_step_shows_its_whole_log_and_where_it_is(tmp_path):
    lines = [f"dòng {i}" for i in range(1, 201)]
    script = "for i in $(seq 1 200); do echo dòng $i; done; echo 'không kết nối được' >&2; exit 7"
    result, log = step(tmp_path, "sh", "-c", script)
    assert result.returncode == 7
    out = result.stdout
    assert out.startswith("  Bước thử … LỖI (mã 7)\n")
    shown = [line.removeprefix("  │ ") for line in out.splitlines() if line.startswith("  │ ")]
    assert shown[-201:] == [*lines, "không kết nối được"]  # all of it, not only its end
    assert out.rstrip("\n").endswith(f"Toàn bộ nhật ký ở trên, lưu tại {log}")
    assert "dòng 1" in log.read_text()


def test_show_prints_the_output_after_the_line_and_keeps_errors_in_the_log(tmp_path):
    result, log = step(tmp_path, "sh", "-c", "echo 'hộp'; echo 'cảnh báo' >&2", show=True)
    assert result.returncode == 0
    first, *rest = result.stdout.splitlines()
    assert STEP_LINE.match(first)
    assert rest == ["hộp"]
    assert "cảnh báo" in log.read_text() and "cảnh báo" not in result.stdout


def make_command(target, tmp_path, port, **variables):
    """`make TARGET` in this checkout as a developer would type it, with this virtualenv
    (never reinstalled here), a fresh SQLite database and folders of the test's own."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "ELASTICSEARCH_URL", "REDIS_URL", "DEBUG"}
        and not key.startswith("MAKE")
        and key != "MFLAGS"
    }
    env |= {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "private"),
        "IMPORT_PROGRESS_DIR": str(tmp_path / "progress"),
        "PORT": str(port),
    }
    venv = sys.prefix
    command = [
        "make",
        "--no-print-directory",
        f"--old-file={venv}/.installed",
        target,
        f"VENV={venv}",
        f"LOG_DIR={tmp_path / 'log'}",
        *(f"{key}={value}" for key, value in variables.items()),
    ]
    return command, env


def make(target, tmp_path, **variables):
    command, env = make_command(target, tmp_path, 8123, **variables)
    return subprocess.run(  # noqa: S603 - make and our own Makefile
        command, cwd=REPO, env=env, capture_output=True, text=True, timeout=900
    )


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_until_served(tmp_path, port, timeout=600):
    """`make run` until the server says it is listening; then Ctrl-C, as a developer stops it.
    Returns what the terminal showed and whether every process it started has ended."""
    command, env = make_command("run", tmp_path, port)
    process = subprocess.Popen(  # noqa: S603 - make and our own Makefile
        command,
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines, deadline = [], time.monotonic() + timeout
    try:
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            if "Quit the server with CONTROL-C." in line or time.monotonic() > deadline:
                break
        time.sleep(2)  # anything printed just after the server started
        os.killpg(process.pid, signal.SIGINT)
        lines += process.communicate(timeout=60)[0].splitlines()
        stopped = process_group_ended(process.pid)
    finally:
        if not process_group_ended(process.pid):
            os.killpg(process.pid, signal.SIGKILL)
    return lines, stopped


def process_group_ended(pgid, wait=20):
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.5)
    return False


def split_output(lines):
    """The step lines, the box, and what follows it."""
    top = next(i for i, line in enumerate(lines) if line.startswith("┌"))
    bottom = next(i for i, line in enumerate(lines) if line.startswith("└"))
    return lines[:top], lines[top : bottom + 1], lines[bottom + 1 :]


def assert_steps_then_box(steps, box, port):
    labels = [STEP_LINE.match(line)["label"] for line in steps]  # every line is a step line
    assert [label for label in labels if label != "Thư viện"] == [
        "Cơ sở dữ liệu (migrate)",
        "Dữ liệu tham chiếu và danh mục mẫu",
        "Bản sao dữ liệu công khai (publish_snapshot)",
        "Tài khoản minh họa",
    ]
    text = "\n".join(box)
    assert f"http://127.0.0.1:{port}/admin/" in text
    assert all(name in text for name in ["bientap", "thamdinh", "baocao-bacninh"])


@pytest.mark.makefile
def test_the_set_up_is_quiet_then_the_server_speaks_after_the_logins(tmp_path):
    first = make("setup", tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    assert first.stderr == ""
    steps, box, after = split_output(first.stdout.splitlines())
    assert_steps_then_box(steps, box, 8123)
    assert after == []  # the logins come last
    log = tmp_path / "log"
    assert "Applying wagtailcore." in (log / "migrate.log").read_text()
    assert "cơ quan, đơn vị" in (log / "seed.log").read_text()

    # Again, as `make run`: the same lines, then only the server's own, once each.
    port = free_port()
    lines, stopped = run_until_served(tmp_path, port)
    steps, box, after = split_output(lines)
    assert_steps_then_box(steps, box, port)
    # Between the box and the server's "Quit" line, only runserver's own banner, once.
    banner = after[: after.index("Quit the server with CONTROL-C.")]
    expected = [
        r"Watching for file changes with StatReloader",
        r"Performing system checks\.\.\.",
        r"",
        r"System check identified no issues \(\d+ silenced\)\.",
        r"\w+ \d\d, \d{4} - \d\d:\d\d:\d\d",
        r"Django version [\d.]+, using settings 'kb\.settings\.dev'",
        rf"Starting development server at http://127\.0\.0\.1:{port}/",
    ]
    assert len(banner) == len(expected), banner
    assert all(re.fullmatch(p, line) for p, line in zip(expected, banner, strict=True)), banner
    assert "\n".join(after).count("Watching for file changes") == 1
    assert "Terminated" not in after  # the worker stops without the shell reporting it
    assert (log / "worker.log").exists()
    assert stopped, "Ctrl-C left a process of `make run` running"


@pytest.mark.makefile
def test_a_failed_migration_shows_the_error_and_the_log(tmp_path):
    result = make("migrate", tmp_path, DATABASE_URL="postgres://khong-co:x@127.0.0.1:1/khong-co")
    assert result.returncode != 0
    log = tmp_path / "log" / "migrate.log"
    assert "Cơ sở dữ liệu (migrate) … LỖI" in result.stdout
    assert "OperationalError" in result.stdout  # the end of the log, on the terminal
    assert f"Toàn bộ nhật ký ở trên, lưu tại {log}" in result.stdout
    assert "Traceback" in log.read_text()

"""What every benchmark prints about the machine, the code and the load it ran with."""

import contextlib
import os
import pathlib
import platform
import subprocess
import time

import django

ROOT = pathlib.Path(__file__).resolve().parent.parent


def commit():
    """The commit the code was checked out at, and whether tracked files differ from it: a
    figure belongs to a commit only when nothing was changed on top of it."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short=10", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.rstrip()  # not strip(): each line starts with two status columns
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    if not changed:
        return head
    paths = [line[3:] for line in changed.splitlines()]
    more = f" and {len(paths) - 5} more" if len(paths) > 5 else ""
    return f"{head} plus uncommitted changes to {', '.join(paths[:5])}{more}"


def load_average():
    return " / ".join(f"{n:.2f}" for n in os.getloadavg()) + " (1, 5, 15 min)"


def machine_facts(**extra):
    """CPU, cores, RAM, OS, Python, Django, then `extra` (a benchmark's own services), the
    commit, then the load when the run starts."""
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError), open("/proc/cpuinfo", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = ""
    with contextlib.suppress(OSError), open("/proc/meminfo", encoding="utf-8") as handle:
        kib = int(next(line for line in handle if line.startswith("MemTotal")).split()[1])
        ram = f"{kib / 1024 / 1024:.1f} GiB"
    return {
        "CPU": cpu,
        "cores": os.cpu_count(),
        "RAM": ram,
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "Django": django.get_version(),
        **extra,
        "commit": commit(),
        "load average at start": load_average(),
    }


def cpu_check(runs=3, additions=5_000_000):
    """Seconds of a fixed pure-Python loop, `runs` times: on a shared machine the same work
    takes up to twice as long from one minute to the next, and this shows how fast the
    machine was around a run's figures."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        total = 0
        for n in range(additions):
            total += n
        times.append(time.perf_counter() - started)
    return " / ".join(f"{seconds:.2f}" for seconds in times) + f" s ({additions:,} additions)"

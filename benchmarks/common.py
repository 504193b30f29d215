"""What every benchmark prints about the machine it ran on."""

import contextlib
import os
import platform
import time

import django


def machine_facts(**extra):
    """CPU, cores, RAM, OS, Python, Django, then `extra` (a benchmark's own services), then
    the load when the run starts."""
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
        "load average at start": " / ".join(f"{n:.2f}" for n in os.getloadavg()),
    }


def cpu_check(runs=3):
    """Seconds of a fixed pure-Python loop, `runs` times: on a shared machine the same work
    takes up to twice as long from one minute to the next, and this shows how fast the
    machine was around a run's figures."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        total = 0
        for n in range(5_000_000):
            total += n
        times.append(time.perf_counter() - started)
    return " / ".join(f"{seconds:.2f}" for seconds in times) + " s (5 million additions)"

"""Load test (issue 14): the site under a fixed load, steady and through three faults.

    bash scripts/services/up.sh                 # PostgreSQL, Redis, the 3-node cluster…
    set -a; . ./.services.env; set +a
    .venv/bin/python benchmarks/load.py         # 60 visitors + 6 reporters, 120 s a run, 4 runs
    .venv/bin/python benchmarks/load.py --faults steady --duration 60
    .venv/bin/python benchmarks/load.py --small # what CI runs (tests/benchmarks)

What runs, all on this machine's loopback (benchmarks/load_stack.py): a PostgreSQL server of
the run's own (its own data folder and port: restarting it disturbs no one's tests),
database `dvctt_load`, migrated, `load_seed`, then `--records` synthetic adoptions with their
dated steps and indicator values (the dashboards benchmark's generator), indexed by
`search_rebuild` on the three-node cluster (ELASTICSEARCH_CLUSTER_URL) under an index prefix
of the run's own; the shared Redis on database `--redis-db`; two gunicorn app servers with
the production settings and ops/gunicorn.conf.py (the environment of scripts/serve.sh), and
the background worker; nginx in front of both app servers (scripts/services/proxy.sh, TLS
with a certificate of its own).

The load (Locust as a library, benchmarks/load_users.py): `--users` visitors, each sending
`--rate` requests a second at most (a mix of pages, the API, search, suggestions and
downloads), and `--reporters` reporters each saving a draft of its report every 2-4 s. All
users start during the warm-up (`--warmup` s, not counted), then `--duration` s are measured.
Each run of `--faults` is one such run:

- `steady`: nothing happens;
- `es`: cluster node `--es-node` is killed (SIGKILL) at mid-run, started again after the run;
  meanwhile an editor publishes new titles of 5 practices, `search_health`'s lag is read
  until it is zero (the worker's pushes, or their replay once the node is back), and each
  new title is looked up through the search API;
- `pg`: the run's PostgreSQL is restarted (fast shutdown) at mid-run; the restart window is
  from the command to the server's accepting connections again, and each error is counted as
  inside it (the request overlapped it) or after it;
- `app`: app server 2's master and workers are killed (SIGKILL) at mid-run; it is started
  again after the run.

After each run the drafts are counted in the database: every save that got the success
response must be there once (in the report's revisions), none twice. Printed: the machine
(benchmarks/common.py), users, duration, load average, requests per second, p50/p95/p99 and
errors per kind of request, the errors of the fault runs by window, the CPU each component
used, and each target PASS or FAIL. Everything the run started it stops, also after an error
or Ctrl-C (a run killed outright can leave the PostgreSQL instance in var/load/; the next run
starts a new one).
"""

import sys

# The children (Django processes) must not run under gevent; the load generator must, and
# before anything imports ssl or threading.
CHILD = any(mode in sys.argv for mode in ("--prepare", "--count-drafts", "--publish", "--lag"))
if __name__ == "__main__" and not CHILD:
    from gevent import monkey

    monkey.patch_all()

import argparse  # noqa: E402
import collections  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import pathlib  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
if __name__ == "__main__":
    sys.path[0] = str(ROOT)

SEED = 20250701
# The targets, on the CI machine (2 cores, every service on it).
TARGET_RPS = 100
TARGET_P95_MS = {"pages": 300, "api": 300, "search": 500}
FAULTS = ("steady", "es", "pg", "app")
SMALL = {"users": 6, "reporters": 2, "duration": 12, "warmup": 6, "records": 300}


def say(text=""):
    print(text, flush=True)


# --- In the children: Django, the run's database ------------------------------------------


def prepare(records, reporters):
    """Migrate, seed, grow and index the run's database, and make the reporters; returns
    what the users need (slugs, queries, accounts)."""
    import random
    import secrets

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.urls import reverse

    from benchmarks import dashboards, search_corpus
    from practices.models import Adoption, Agency, PracticeCategory, PracticePage
    from practices.text import fold
    from reporting.models import AgencyMembership
    from reporting.roles import REPORTERS

    steps = {}

    def step(name, function, *args, **kwargs):
        started = time.monotonic()
        value = function(*args, **kwargs)
        steps[name] = round(time.monotonic() - started, 1)
        return value

    with open(os.devnull, "w") as quiet:
        step("migrate", call_command, "migrate", interactive=False, verbosity=0, stdout=quiet)
        step("load_seed", call_command, "load_seed", stdout=quiet)
        if not static_files_current():
            step("collectstatic", call_command, "collectstatic", interactive=False, stdout=quiet)
        state = step(
            "records",
            dashboards.build,
            records,
            {},
            random.Random(SEED),
            indicator_values=min(20 * records, 20_000),
        )
        step("search_rebuild", call_command, "search_rebuild", no_progress=True, stdout=quiet)

    provinces = list(Agency.objects.current().filter(kind="province").order_by("code"))
    practices = list(PracticePage.objects.live().order_by("path"))
    group = Group.objects.get(name=REPORTERS)
    accounts = []
    for n, province in enumerate(provinces[:reporters], start=1):
        password = secrets.token_urlsafe(16)
        user = get_user_model().objects.create_user(
            f"load-baocao-{n}", f"load-baocao-{n}@example.org", password
        )
        user.groups.add(group)
        AgencyMembership.objects.create(user=user, agency=province)
        taken = set(province.adoptions.values_list("practice_id", flat=True))
        practice = next(p for p in practices if p.pk not in taken)
        report = Adoption(
            practice=practice,
            agency=province,
            status="planned",
            decided_on=datetime.date(2025, 9, 1),
            instrument=f"Kế hoạch số {n}/KH-UBND",
            live=False,
        )
        report.save()
        report.save_revision(user=user)
        edit = reverse("wagtailsnippets_practices_adoption:edit", args=[report.pk])
        accounts.append(
            {
                "username": user.username,
                "password": password,
                "adoption": report.pk,
                "edit_url": edit,
            }
        )

    agencies = [a.slug for a in provinces] + list(
        Agency.objects.filter(adoptions__isnull=False, valid_to__isnull=False)
        .distinct()
        .order_by("slug")
        .values_list("slug", flat=True)[:30]
    )
    departments = list(
        Agency.objects.filter(code__startswith="HN").order_by("code").values_list("slug", flat=True)
    )
    agencies += departments[:: max(1, len(departments) // 30)]
    queries = [q["q"] for q in search_corpus.QUERIES]
    accented = [q for q in queries if fold(q) != q.lower()]
    folded = sorted({fold(q) for q in queries})
    prefixes = sorted({" ".join(fold(q).split()[:2])[:7] for q in queries} | {"tro l", "bac n"})
    words = sorted({w for q in queries for w in q.split() if len(w) > 1 and w.isalpha()})
    slugs = [p.slug for p in practices]
    return {
        "practices": slugs,
        "categories": list(PracticeCategory.objects.values_list("code", flat=True)),
        "agencies": agencies,
        "agency_codes": [a.code for a in provinces],
        "queries": accented,
        "folded_queries": folded,
        "prefixes": prefixes,
        "words": words,
        "downloads": ["/tai-ve/giai-phap.csv", "/tai-ve/co-quan.csv"]
        + [f"/tai-ve/co-quan/{a.slug}.csv" for a in provinces[:10]]
        + [f"/tai-ve/giai-phap/{s}.csv" for s in slugs[:10]],
        "reporters": accounts,
        "data": {
            "adoptions": Adoption.objects.count(),
            "steps": state["steps"],
            "practices": len(slugs),
            "agencies": Agency.objects.count(),
            "indicator_values": state["indicator_values"],
        },
        "steps": steps,
        "settings": effective_settings(),
    }


def effective_settings():
    """The settings of the production module, as the app servers read them, that change the
    figures."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    return {
        "CONN_MAX_AGE": database.get("CONN_MAX_AGE"),
        "CONN_HEALTH_CHECKS": database.get("CONN_HEALTH_CHECKS", False),
        "PAGE_CACHE_SECONDS": getattr(settings, "PAGE_CACHE_SECONDS", "(no page cache)"),
        **{
            name: getattr(settings, name) or "off"
            for name in ("RATELIMIT_SEARCH", "RATELIMIT_SUGGEST", "RATELIMIT_API")
        },
    }


def static_files_current():
    """Whether STATIC_ROOT's manifest is newer than every static file the finders see: then
    collectstatic (a minute and more of compressing on this machine) would write the same."""
    from django.conf import settings
    from django.contrib.staticfiles import finders

    manifest = pathlib.Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifest.exists():
        return False
    written = manifest.stat().st_mtime
    for finder in finders.get_finders():
        for path, storage in finder.list([]):
            if os.path.getmtime(storage.path(path)) > written:
                return False
    return True


def count_drafts(adoptions):
    """{token: how many revisions hold it} over the revisions of these reports."""
    import django

    django.setup()
    from practices.models import Adoption

    counts = collections.Counter()
    for report in Adoption.objects.filter(pk__in=adoptions):
        counts.update(report.revisions.values_list("content__notes", flat=True))
    return {token: n for token, n in counts.items() if token}


def publish(count):
    """Publish a new title of `count` practices, each with a word of its own that nothing else
    holds, as an editor would (a revision published: the search rows written as pending, a
    push asked of the worker); returns the words."""
    import secrets

    import django

    django.setup()
    from practices.models import PracticePage

    words = []
    for page in PracticePage.objects.live().order_by("path")[:count]:
        word = f"thunghiem{secrets.token_hex(4)}"
        page.title = f"{page.title} {word}"
        page.save_revision().publish()
        words.append(word)
    return words


def search_lag():
    """The lag `manage.py search_health --json` reports: rows the index does not have yet."""
    import io

    import django

    django.setup()
    from django.core.management import CommandError, call_command

    out = io.StringIO()
    try:
        call_command("search_health", "--json", stdout=out)
    except CommandError:
        pass  # a report all the same (a node down, say): the lag is in it
    return json.loads(out.getvalue())["lag"]


def child(mode, argument, env):
    """Run `mode` in a child with the site's environment; its JSON answer."""
    command = [sys.executable, __file__, mode, argument]
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, check=False)
    if done.returncode:
        raise RuntimeError(f"{mode}: {done.stderr[-3000:]}")
    return json.loads(done.stdout.splitlines()[-1])


# --- Figures ---------------------------------------------------------------------------------


def percentile(values, p):
    """Nearest-rank percentile of sorted `values`."""
    if not values:
        return float("nan")
    rank = max(1, -(-len(values) * p // 100))
    return values[int(rank) - 1]


def overlaps(record, window):
    return record["start"] <= window[1] and record["end"] >= window[0]


def classify(errors, fault):
    """Each error of a fault run: "before" the fault, "inside" its window (the request
    overlapped it), or "after"."""
    if fault is None:
        return {"before": len(errors), "inside": 0, "after": 0}
    window = fault["window"]
    out = {"before": 0, "inside": 0, "after": 0}
    for error in errors:
        if overlaps(error, window):
            out["inside"] += 1
        elif error["end"] < window[0]:
            out["before"] += 1
        else:
            out["after"] += 1
    return out


def summarize(records, measured, duration):
    from benchmarks.load_users import KINDS

    inside = [r for r in records if measured[0] <= r["start"] < measured[1]]
    kinds = {}
    for kind in [*KINDS, *sorted({r["kind"] for r in inside} - set(KINDS))]:
        rows = [r for r in inside if r["kind"] == kind]
        if not rows:
            continue
        times = sorted(r["ms"] for r in rows)
        kinds[kind] = {
            "requests": len(rows),
            "rps": len(rows) / duration,
            "p50": percentile(times, 50),
            "p95": percentile(times, 95),
            "p99": percentile(times, 99),
            "max": times[-1],
            "errors": sum(1 for r in rows if r["error"]),
            "group": KINDS.get(kind),
        }
    groups = {}
    for group in TARGET_P95_MS:
        times = sorted(r["ms"] for r in inside if KINDS.get(r["kind"]) == group)
        groups[group] = {"requests": len(times), "p95": percentile(times, 95)}
    errors = [r for r in inside if r["error"]]
    return {
        "requests": len(inside),
        "rps": len(inside) / duration,
        "errors": len(errors),
        "kinds": kinds,
        "groups": groups,
        "error_list": errors,
    }


def cpu_seconds(groups):
    """{component: {process: (CPU seconds so far, its parent)}}, a process being (pid, start
    time). The roots of the site's trees count the children they have reaped too (PostgreSQL's
    backends, gunicorn's replaced workers); the load generator does not (it reaps the app
    server it kills)."""
    import psutil

    out = {}
    for name, processes in groups.items():
        out[name] = {}
        for n, process in enumerate(processes):
            try:
                t = process.cpu_times()
                key = (process.pid, process.create_time())
                parent = process.ppid()
            except psutil.Error:
                continue
            seconds = t.user + t.system
            if n == 0 and name != "load generator (Locust)":
                seconds += t.children_user + t.children_system
            out[name][key] = (seconds, parent)
    return out


def cpu_used(start, end, seconds):
    """Cores busy per component between two `cpu_seconds`. A process that ended meanwhile
    under a parent of the same tree that is still there: its time moved to the parent's
    reaped children, so its time at the start comes off. Otherwise (a killed or restarted
    server) its time after the start is not counted."""
    used = {}
    for name, processes in end.items():
        before = start.get(name, {})
        alive = {pid for pid, _ in processes}
        total = sum(t - before.get(key, (0.0, None))[0] for key, (t, _) in processes.items())
        total -= sum(
            t for key, (t, parent) in before.items() if key not in processes and parent in alive
        )
        used[name] = total / seconds
    return used


def machine_busy():
    import psutil

    t = psutil.cpu_times()
    return t.user + t.nice + t.system + t.irq + t.softirq + t.steal


def proxy_retries(path, window):
    """Requests nginx sent to a second app server in `window`, from its access log."""
    retried = 0
    with open(path, encoding="utf-8", errors="replace") as log:
        for line in log:
            stamp, _, rest = line.partition(" ")
            try:
                when = datetime.datetime.fromisoformat(stamp).timestamp()
            except ValueError:
                continue
            if window[0] - 1 <= when <= window[1] + 1:
                upstreams = rest.split('"')[1] if '"' in rest else ""
                retried += "," in upstreams
    return retried


PUBLISHED = 5  # practices published while a cluster node is down (run "es")
LAG_TIMEOUT = 120  # seconds the lag may take to fall to zero once the node is back


def lag_sample(stack, since):
    """(seconds since `since`, search_health's lag)."""
    lag = child("--lag", "1", stack.site_env())
    return (round(time.time() - since, 1), lag)


def writes_reached_index(stack, writes, since):
    """After the node is back: the lag read until zero, then each word published while it was
    down looked up through the public search API."""
    if "words" not in writes:
        return {"error": "nothing was published during the fault"}
    samples = writes["lag"]
    deadline = time.monotonic() + LAG_TIMEOUT
    while (not samples or samples[-1][1]) and time.monotonic() < deadline:
        samples.append(lag_sample(stack, since))
        if samples[-1][1]:
            time.sleep(1)
    found = sum(search_finds(stack, word) for word in writes["words"])
    return {
        "published": len(writes["words"]),
        "published_at": writes["published_at"],
        "lag": samples,
        "found": found,
    }


def search_finds(stack, word):
    """Whether the public search API, through nginx, finds `word` in Elasticsearch."""
    import ssl
    import urllib.parse
    import urllib.request

    from benchmarks.load_users import new_address

    url = f"{stack.url}/api/v1/search/?{urllib.parse.urlencode({'q': word})}"
    request = urllib.request.Request(url, headers={"X-Forwarded-For": new_address()})
    context = ssl.create_default_context(cafile=stack.ca_file)
    # The proxy on the loopback (Stack refuses any other address).
    with urllib.request.urlopen(request, timeout=30, context=context) as answer:  # noqa: S310
        body = json.loads(answer.read())
    return body["engine"] == "elasticsearch" and body["complete"] >= 1


# --- One run -----------------------------------------------------------------------------


def run_load(stack, plan, fault_kind, options):
    import gevent
    from locust.env import Environment
    from locust.event import Events

    from benchmarks import load_users

    users = {**plan, "url": stack.url, "ca_file": stack.ca_file}
    load_users.configure(users, options.rate)
    load_users.Reporter.fixed_count = options.reporters
    records = []

    def on_request(name, start_time, response_time, exception=None, response=None, **kwargs):
        status = getattr(response, "status_code", 0) or 0
        error = None
        if exception is not None:
            error = f"HTTP {status}" if status else type(exception).__name__
            text = str(exception)
            if text.startswith(("HTTP", "draft", "sign-in", "no edit", "not ", "empty")):
                error = text[:80]
        records.append(
            {
                "kind": name,
                "start": start_time,
                "end": start_time + response_time / 1000,
                "ms": response_time,
                "status": status,
                "error": error,
            }
        )

    events = Events()
    events.request.add_listener(on_request)
    env = Environment(
        user_classes=[load_users.Visitor, load_users.Reporter], host=stack.url, events=events
    )
    runner = env.create_local_runner()
    count = options.users + options.reporters
    began = time.time()
    measured = (began + options.warmup, began + options.warmup + options.duration)
    load_before = os.getloadavg()
    worker_restarts = stack.worker_restarts()
    runner.start(count, spawn_rate=max(1.0, count / max(1.0, options.warmup / 2)))
    fault = {}

    writes = {}

    def write_while_node_down():
        # An editor publishes while the node is down; the lag is read until it is zero.
        writes["words"] = child("--publish", str(PUBLISHED), stack.site_env())
        writes["published_at"] = time.time() - fault["window"][0]
        writes["lag"] = []
        while time.time() < measured[1] - 2:
            writes["lag"].append(lag_sample(stack, fault["window"][0]))
            if writes["lag"][-1][1] == 0:
                break
            gevent.sleep(1)

    def make_fault():
        if fault_kind == "es":
            at = stack.kill_node(options.es_node)
            fault.update(what=f"cluster node {options.es_node} killed", window=(at, at))
            writes["greenlet"] = gevent.spawn(write_while_node_down)
        elif fault_kind == "pg":
            fault.update(what="PostgreSQL restarted", window=stack.restart_postgres())
        elif fault_kind == "app":
            at = stack.kill_app(2)
            fault.update(what="app server 2 killed (master and workers)", window=(at, at))

    if fault_kind != "steady":
        gevent.spawn_later(options.warmup + options.duration / 2, make_fault)
    gevent.sleep(max(0.0, measured[0] - time.time()))
    cpu_start, busy_start = cpu_seconds(stack.processes()), machine_busy()
    gevent.sleep(max(0.0, measured[1] - time.time()))
    cpu_end, busy_end = cpu_seconds(stack.processes()), machine_busy()
    load_during = os.getloadavg()
    runner.quit()
    runner.greenlet.join(timeout=30)
    if "greenlet" in writes:
        writes.pop("greenlet").join(timeout=60)
    saves = [s for s in load_users.SAVES if s["start"] < measured[1]]
    engines = dict(load_users.ENGINES)

    result = summarize(records, measured, options.duration)
    result |= {
        "fault": fault_kind,
        "fault_detail": None,
        "warmup_errors": sum(1 for r in records if r["start"] < measured[0] and r["error"]),
        "load_average": {"before": load_before, "end": load_during},
        "cpu": cpu_used(cpu_start, cpu_end, options.duration),
        "machine_cores_busy": (busy_end - busy_start) / options.duration,
        "engines": engines,
        "measured_from": measured[0],
    }
    if fault:
        window = fault["window"]
        result["fault_detail"] = {
            "what": fault["what"],
            "at": window[0] - measured[0],
            "window_seconds": window[1] - window[0],
            "errors": classify(result["error_list"], fault),
        }
        with_retry = proxy_retries(stack.proxy_log, (window[0], measured[1]))
        result["fault_detail"]["proxy_retries"] = with_retry
    elif fault_kind != "steady":
        result["fault_detail"] = {"what": "the fault did not happen", "errors": {}}

    # After the run: the drafts, then the stack as it was.
    saved = collections.Counter(s["token"] for s in saves)
    found = child(
        "--count-drafts", json.dumps([a["adoption"] for a in plan["reporters"]]), stack.site_env()
    )
    ok = [s for s in saves if s["ok"]]
    failed = [s for s in saves if not s["ok"]]
    result["drafts"] = {
        "saves": len(saves),
        "succeeded": len(ok),
        "lost": sum(1 for s in ok if found.get(s["token"], 0) == 0),
        "twice": sum(1 for token in saved if found.get(token, 0) > 1),
        "failed": len(failed),
        "failed_but_stored": sum(1 for s in failed if found.get(s["token"], 0)),
    }
    try:
        if fault_kind == "es":
            result["recovery_seconds"] = stack.start_node(options.es_node)
            result["writes"] = writes_reached_index(stack, writes, fault["window"][0])
        elif fault_kind == "app":
            started = time.monotonic()
            stack.start_app(2)
            result["recovery_seconds"] = time.monotonic() - started
    except RuntimeError as error:
        # Printed with the run's figures; the runs after it would not be on the same stack.
        result["recovery_error"] = str(error)[:1500]
    if fault_kind == "pg" and fault:
        result["recovery_seconds"] = fault["window"][1] - fault["window"][0]
    # scripts/worker.sh starts again a worker that a fault ended, as systemd would.
    result["worker_restarts"] = stack.worker_restarts() - worker_restarts
    result["worker_alive"] = stack.worker_alive()
    return result


# --- Report ------------------------------------------------------------------------------


def mark(met):
    return "PASS" if met else "FAIL"


def targets(result, small):
    """[(what, met)] of a run."""
    checks = []
    fault, detail = result["fault"], result["fault_detail"]
    if fault == "steady":
        if not small:
            checks.append((f"≥ {TARGET_RPS} requests/s overall", result["rps"] >= TARGET_RPS))
            for group, limit in TARGET_P95_MS.items():
                p95 = result["groups"][group]["p95"]
                checks.append((f"p95 of {group} ≤ {limit} ms ({p95:.0f} ms)", p95 <= limit))
        checks.append(("0 errors", result["errors"] == 0 and result["warmup_errors"] == 0))
    elif fault in ("es", "app"):
        checks.append(("fault made at mid-run", bool(detail and "at" in detail)))
        checks.append(("0 errors during the run", result["errors"] == 0))
    if fault == "es":
        writes = result.get("writes") or {}
        lag = writes.get("lag") or [(None, None)]
        checks.append(("the lag fell to zero once the node was back", lag[-1][1] == 0))
        found = f"{writes.get('found', 0)} of {writes.get('published', PUBLISHED)}"
        checks.append(
            (
                f"what was published while it was down is found ({found})",
                writes.get("published") and writes.get("found") == writes.get("published"),
            )
        )
    elif fault == "pg":
        errors = detail["errors"] if detail else {}
        checks.append(("fault made at mid-run", bool(detail and "at" in detail)))
        checks.append(
            (
                "errors only inside the restart window",
                errors.get("before", 1) == 0 and errors.get("after", 1) == 0,
            )
        )
    if "recovery_error" in result:
        checks.append(("back to normal after the run", False))
    checks.append(("the background worker runs at the end", result["worker_alive"]))
    drafts = result["drafts"]
    checks.append(("drafts: saves made", drafts["succeeded"] > 0))
    checks.append(("no draft lost", drafts["lost"] == 0))
    checks.append(("no draft written twice", drafts["twice"] == 0))
    return checks


def print_run(result, options, small):
    title = {
        "steady": "steady",
        "es": "(a) a cluster node killed",
        "pg": "(b) PostgreSQL restarted",
        "app": "(c) an app server killed",
    }[result["fault"]]
    say(f"\n=== Run: {title} ===")
    la = result["load_average"]
    say(
        f"  {options.users} visitors (≤ {options.rate:g} requests/s each) + {options.reporters} "
        f"reporters, {options.duration:g} s measured after {options.warmup:g} s of warm-up; "
        f"load average {la['before'][0]:.2f} before, {la['end'][0]:.2f} at the end"
    )
    say(
        f"  {result['requests']:,} requests, {result['rps']:.1f} requests/s, "
        f"{result['errors']} errors (and {result['warmup_errors']} in the warm-up)"
    )
    say(
        f"\n  {'kind':24} {'requests':>8} {'req/s':>6} {'p50':>6} {'p95':>6} {'p99':>6} "
        f"{'max':>6} {'errors':>6}"
    )
    for kind, k in result["kinds"].items():
        say(
            f"  {kind:24} {k['requests']:>8,} {k['rps']:>6.1f} {k['p50']:>6.0f} {k['p95']:>6.0f} "
            f"{k['p99']:>6.0f} {k['max']:>6.0f} {k['errors']:>6}"
        )
    say("  (milliseconds, at the client: TLS, nginx, gunicorn, the site)")
    for group, g in result["groups"].items():
        say(f"  {group}: {g['requests']:,} requests, p95 {g['p95']:.0f} ms")
    if result["error_list"]:
        counts = collections.Counter((e["kind"], e["error"]) for e in result["error_list"])
        say("  errors: " + "; ".join(f"{k} {e} ×{n}" for (k, e), n in counts.most_common(8)))
    if result["engines"]:
        say(
            "  search api answered by: "
            + ", ".join(f"{engine} {n}" for engine, n in sorted(result["engines"].items()))
        )
    detail = result["fault_detail"]
    if detail:
        if "at" in detail:
            say(
                f"  fault: {detail['what']} at {detail['at']:.1f} s, window "
                f"{detail['window_seconds']:.2f} s; errors before {detail['errors']['before']}, "
                f"inside {detail['errors']['inside']}, after {detail['errors']['after']}; "
                f"requests nginx sent on to the other app server {detail['proxy_retries']}"
            )
        else:
            say(f"  fault: {detail['what']}")
    writes = result.get("writes")
    if writes and "lag" in writes:
        lag = ", ".join(f"{lag} at {at:g} s" for at, lag in writes["lag"])
        say(
            f"  published while the node was down: {writes['published']} practices, "
            f"{writes['published_at']:.1f} s after the kill; search_health's lag: {lag}; "
            f"found through the search API afterwards: {writes['found']}"
        )
    elif writes:
        say(f"  writes: {writes['error']}")
    if result["worker_restarts"]:
        say(f"  the background worker stopped and was started again: {result['worker_restarts']}×")
    if not result["worker_alive"]:
        say("  the background worker is not running")
    if "recovery_error" in result:
        say(f"  NOT back to normal after the run: {result['recovery_error']}")
    if "recovery_seconds" in result:
        say(f"  back to normal after the run in {result['recovery_seconds']:.1f} s")
    d = result["drafts"]
    say(
        f"  drafts: {d['saves']} saves, {d['succeeded']} answered as saved, lost {d['lost']}, "
        f"written twice {d['twice']}; {d['failed']} failed ({d['failed_but_stored']} of them "
        "stored all the same)"
    )
    cpu = ", ".join(f"{k} {v:.2f}" for k, v in result["cpu"].items())
    say(
        f"  CPU (cores busy): machine {result['machine_cores_busy']:.2f} of {os.cpu_count()}; {cpu}"
    )
    result["checks"] = targets(result, small)
    for what, met in result["checks"]:
        say(f"  {mark(met)}  {what}")


def versions(stack):
    from benchmarks.load_stack import get_json

    facts = {}
    try:
        nodes = get_json(f"{stack.cluster[0]}/_nodes?filter_path=nodes.*.version")["nodes"]
        numbers = sorted({node["version"] for node in nodes.values()})
        facts["Elasticsearch"] = f"{', '.join(numbers)}, a cluster of {len(nodes)} nodes"
    except (OSError, ValueError, KeyError):
        facts["Elasticsearch"] = "?"
    for name, command in (
        ("PostgreSQL", ["pg_config", "--version"]),
        ("nginx", ["nginx", "-v"]),
        ("Redis", ["redis-server", "--version"]),
    ):
        try:
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            facts[name] = (done.stdout + done.stderr).strip().splitlines()[0]
        except (OSError, IndexError):
            facts[name] = "?"
    import gunicorn
    import locust

    workers = os.environ.get("GUNICORN_WORKERS", "3")
    threads = os.environ.get("GUNICORN_THREADS", "4")
    facts["gunicorn"] = f"{gunicorn.__version__}, 2 servers × {workers} workers × {threads} threads"
    facts["Locust"] = locust.__version__
    return facts


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=60, help="visitors (60)")
    parser.add_argument("--reporters", type=int, default=6, help="reporters saving drafts (6)")
    parser.add_argument(
        "--rate", type=float, default=2.0, help="requests/s of a visitor, at most (2)"
    )
    parser.add_argument(
        "--duration", type=float, default=120, help="seconds measured per run (120)"
    )
    parser.add_argument("--warmup", type=float, default=15, help="seconds before measuring (15)")
    parser.add_argument(
        "--faults", default=",".join(FAULTS), help="runs, in order (steady,es,pg,app)"
    )
    parser.add_argument("--records", type=int, default=5000, help="synthetic adoptions (5,000)")
    parser.add_argument("--es-node", type=int, default=2, help="the cluster node killed (2)")
    parser.add_argument("--redis-db", type=int, default=13, help="Redis database number (13)")
    parser.add_argument("--small", action="store_true", help="the CI run: " + str(SMALL))
    parser.add_argument("--json", help="write the results to this file too")
    parser.add_argument("--prepare", help=argparse.SUPPRESS)
    parser.add_argument("--count-drafts", help=argparse.SUPPRESS)
    parser.add_argument("--publish", help=argparse.SUPPRESS)
    parser.add_argument("--lag", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)

    if options.prepare:
        print(json.dumps(prepare(**json.loads(options.prepare))))
        return None
    if options.count_drafts:
        print(json.dumps(count_drafts(json.loads(options.count_drafts))))
        return None
    if options.publish:
        print(json.dumps(publish(int(options.publish))))
        return None
    if options.lag:
        print(json.dumps(search_lag()))
        return None
    if options.small:
        for name, value in SMALL.items():
            if getattr(options, name) == parser.get_default(name):
                setattr(options, name, value)
    faults = [f.strip() for f in options.faults.split(",") if f.strip()]
    if unknown := set(faults) - set(FAULTS):
        parser.error(f"unknown faults: {', '.join(sorted(unknown))}")
    cluster = os.environ.get("ELASTICSEARCH_CLUSTER_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not cluster or not redis_url:
        sys.exit(
            "ELASTICSEARCH_CLUSTER_URL and REDIS_URL must be set: bash scripts/services/up.sh; "
            "set -a; . ./.services.env; set +a"
        )

    from benchmarks.common import cpu_check, load_average, machine_facts
    from benchmarks.load_stack import Stack

    stack = Stack(cluster, redis_url, options.redis_db, say=lambda text: say(text))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    results = {
        "options": vars(options),
        "runs": [],
        "stack": {
            "prefix": stack.prefix,
            "postgres": str(stack.pg_dir),
            "proxy_root": str(stack.proxy_root),
            "redis_url": stack.redis_url,
        },
    }
    try:
        facts = machine_facts(**versions(stack))
        facts["CPU check"] = cpu_check()
        say("Machine")
        for name, value in facts.items():
            say(f"  {name}: {value}")
        results["machine"] = facts
        say("\nStarting the stack…")
        stack.flush_redis()
        stack.start_postgres()
        started = time.monotonic()
        plan = child(
            "--prepare",
            json.dumps({"records": options.records, "reporters": options.reporters}),
            stack.site_env(),
        )
        data = plan["data"]
        say(
            f"  database dvctt_load: {data['adoptions']:,} adoptions, "
            f"{data['steps']:,} steps, {data['practices']} practices, {data['agencies']} units, "
            f"{data['indicator_values']:,} indicator values; indexed under {stack.prefix}"
        )
        say(
            f"  set up in {time.monotonic() - started:.0f} s: "
            + ", ".join(f"{name} {seconds:g} s" for name, seconds in plan["steps"].items())
        )
        say("  production settings: " + ", ".join(f"{k}={v}" for k, v in plan["settings"].items()))
        results["settings"] = plan["settings"]
        for number in (1, 2):
            stack.start_app(number)
        stack.start_worker()
        stack.start_proxy()
        from benchmarks.load_users import KINDS

        results["kinds"] = KINDS
        say(f"  app servers on {', '.join(map(str, stack.app_ports))}, nginx on {stack.url}")
        results["data"] = data
        for fault in faults:
            result = run_load(stack, plan, fault, options)
            print_run(result, options, options.small)
            # The errors, each at its second of the measured run, for reading after.
            zero = result.pop("measured_from")
            result["errors_seen"] = [
                {
                    "kind": e["kind"],
                    "error": e["error"],
                    "at": round(e["start"] - zero, 2),
                    "ms": round(e["ms"]),
                }
                for e in result.pop("error_list")
            ]
            results["runs"].append(result)
            if "recovery_error" in result:
                say("  The runs after this one are left out: the stack is not what it was.")
                break
    finally:
        stack.close()
        say(f"\nLoad average at the end: {load_average()}; CPU check {cpu_check()}")
    say("\nSummary")
    for result in results["runs"]:
        failed = [what for what, met in result["checks"] if not met]
        say(
            f"  {result['fault']:6} {result['rps']:6.1f} req/s, {result['errors']} errors: "
            + ("every target met" if not failed else "FAIL: " + "; ".join(failed))
        )
    if options.json:
        pathlib.Path(options.json).write_text(json.dumps(results, indent=1, default=str))
    return results


if __name__ == "__main__":
    main()

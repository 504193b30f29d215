"""What the load test runs against, on this machine's loopback, and the faults it makes.

A PostgreSQL server of its own (`scripts/services/postgres.sh instance`, a data folder of its
own: restarting it touches no one else's tests), two gunicorn app servers with the production
settings (the environment `scripts/serve.sh` sets) and a background worker (`db_worker`),
nginx in front of the app servers (`scripts/services/proxy.sh`, ops/nginx.conf.template), the
shared three-node Elasticsearch cluster under an index prefix of the run's own, and the shared
Redis on a database number of its own. `Stack.close()` stops what the stack started, gives
back a cluster node it killed, deletes its indices and empties its Redis database; it runs
once, at the end or at exit.
"""

import atexit
import contextlib
import json
import os
import pathlib
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

ROOT = pathlib.Path(__file__).resolve().parent.parent
SERVICES = ROOT / "scripts" / "services"
BIN = pathlib.Path(sys.executable).parent
DATABASE = "dvctt_load"
LOOPBACK = "127.0.0.1"


def free_port():
    """A port nothing listens on now, on the loopback."""
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def service(script, *args, env=None, check=True):
    """`bash scripts/services/<script> args…`; its output, or RuntimeError with it."""
    done = subprocess.run(
        ["bash", str(SERVICES / script), *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
    )
    if check and done.returncode:
        raise RuntimeError(f"{script} {' '.join(map(str, args))}: {done.stdout}{done.stderr}")
    return done.stdout


def get_json(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as answer:  # noqa: S310 - loopback only
        return json.loads(answer.read())


def loopback_only(url):
    host = urllib.parse.urlsplit(url).hostname
    if host not in (LOOPBACK, "localhost"):
        raise SystemExit(f"{url}: the load test sends traffic to this machine's loopback only")
    return url


def pg_reachable_dir():
    """A data folder for the PostgreSQL instance that its server user can reach: under var/
    when the checkout lets `postgres` in, else under the system's temporary folder."""
    folder = ROOT / "var" / "load" / "postgres"
    probe = subprocess.run(
        ["runuser", "-u", "postgres", "--", "test", "-x", str(folder.parent.parent)],
        capture_output=True,
        check=False,
    )
    if probe.returncode == 0:
        folder.parent.mkdir(parents=True, exist_ok=True)
        return folder
    return pathlib.Path(tempfile.gettempdir()) / f"dvctt-load-postgres-{uuid.uuid4().hex[:8]}"


class Stack:
    def __init__(self, cluster_url, redis_url, redis_db, say=print):
        self.say = say
        self.cluster = [loopback_only(u.strip()) for u in cluster_url.split(",") if u.strip()]
        base = redis_url.rsplit("/", 1)[0] if redis_url.count("/") > 2 else redis_url
        self.redis_url = f"{loopback_only(base)}/{redis_db}"
        self.pg_port = free_port()
        self.pg_dir = pg_reachable_dir()
        self.app_ports = [free_port(), free_port()]
        self.proxy_port = free_port()
        self.prefix = f"dvctt-load-{uuid.uuid4().hex[:8]}"
        # The site's files (media, uploads), removed at the end; the servers' logs, kept
        # until the next run.
        self.folder = pathlib.Path(tempfile.mkdtemp(prefix="dvctt-load-"))
        self.logs = ROOT / "var" / "load"
        self.logs.mkdir(parents=True, exist_ok=True)
        # A folder www-data can reach (proxy.sh), apart from the default instance's.
        self.proxy_root = pathlib.Path(
            os.environ.get("LOAD_PROXY_ROOT", "/opt/dvctt-kb/proxy-load")
        )
        self.apps = {}  # number (1, 2) -> Popen
        self.worker = None  # the background worker's Popen
        self.started_apps = set()
        self.killed_nodes = set()
        self.started = []
        self.closed = False
        atexit.register(self.close)

    # --- The environment of every process of the site -------------------------------------

    @property
    def database_url(self):
        return f"postgres://dvctt:dvctt@{LOOPBACK}:{self.pg_port}/{DATABASE}"

    @property
    def url(self):
        return f"https://{LOOPBACK}:{self.proxy_port}"

    @property
    def ca_file(self):
        return str(self.proxy_root / "tls" / "cert.pem")

    def site_env(self, **extra):
        """What scripts/serve.sh sets, for this run's services; plus `extra`."""
        if not hasattr(self, "_secret"):
            self._secret = secrets.token_urlsafe(64)  # every app server signs with it
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "GUNICORN_", "PGHOST", "PGPORT", "LOCUST_"))
        }
        files = self.folder / "files"
        env |= {
            "DJANGO_SETTINGS_MODULE": "kb.settings.production",
            "SECRET_KEY": self._secret,
            "ALLOWED_HOSTS": f"{LOOPBACK},localhost",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "ELASTICSEARCH_URL": ",".join(self.cluster),
            "SEARCH_INDEX_PREFIX": self.prefix,
            # nginx on the loopback is the only proxy whose X-Forwarded-* are believed.
            "TRUSTED_PROXIES": LOOPBACK,
            "FORWARDED_ALLOW_IPS": LOOPBACK,
            "WAGTAILADMIN_BASE_URL": self.url,
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "MEDIA_ROOT": str(files / "media"),
            "PRIVATE_MEDIA_ROOT": str(files / "private"),
            "SNAPSHOTS_ROOT": str(files / "snapshots"),
            "IMPORT_UPLOAD_DIR": str(files / "uploads"),
            "IMPORT_PROGRESS_DIR": str(files / "import-progress"),
            "PYTHONPATH": str(ROOT),
        }
        return env | extra

    # --- Starting -------------------------------------------------------------------------

    def start_postgres(self):
        self.say(f"  PostgreSQL of the run: {self.pg_dir}, port {self.pg_port}")
        self.started.append("postgres")
        if self.pg_dir.exists():  # left by a run killed outright: start afresh
            service("postgres.sh", "instance", "stop", self.pg_dir, check=False)
            shutil.rmtree(self.pg_dir, ignore_errors=True)
        service(
            "postgres.sh",
            "instance",
            "start",
            self.pg_dir,
            self.pg_port,
            env={"INSTANCE_DB": DATABASE},
        )

    def restart_postgres(self):
        """Restart the run's PostgreSQL (fast shutdown: open sessions are cut, as a crash or
        an operator's restart would); returns (started, ready) as time.time() values."""
        began = time.time()
        service(
            "postgres.sh",
            "instance",
            "restart",
            self.pg_dir,
            self.pg_port,
            env={"INSTANCE_DB": DATABASE},
        )
        return began, time.time()

    def start_app(self, number):
        port = self.app_ports[number - 1]
        # Rewritten on the first start of a run, added to when a killed server comes back.
        mode = "ab" if number in self.started_apps else "wb"
        self.started_apps.add(number)
        log = open(self.logs / f"app-{number}.log", mode)  # noqa: SIM115 - the server's
        env = self.site_env(GUNICORN_BIND=f"{LOOPBACK}:{port}")
        command = [str(BIN / "gunicorn"), "-c", str(ROOT / "ops" / "gunicorn.conf.py"), "kb.wsgi"]
        # A session of its own: the master and its workers are one process group, killed
        # together (fault c) and at the end.
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.apps[number] = process
        self.wait_ready(f"http://{LOOPBACK}:{port}/readyz", f"app server {number}", process)
        return process

    def start_worker(self):
        """The background worker as scripts/serve.sh runs it (scripts/worker.sh: started again
        after it fails): it pushes the search rows a publication writes."""
        log = open(self.worker_log, "wb")  # noqa: SIM115 - the worker's
        self.worker = subprocess.Popen(
            ["bash", str(ROOT / "scripts" / "worker.sh")],
            cwd=ROOT,
            env=self.site_env(BIN=str(BIN)),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self.worker

    def worker_alive(self):
        return self.worker is not None and self.worker.poll() is None

    @property
    def worker_log(self):
        return self.logs / "worker.log"

    def worker_restarts(self):
        """How many times worker.sh has started the worker again."""
        with contextlib.suppress(OSError):
            return self.worker_log.read_text(errors="replace").count("starting again")
        return 0

    def wait_ready(self, url, what, process=None, timeout=120):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if process is not None and process.poll() is not None:
                raise RuntimeError(f"{what} exited ({process.returncode}); see {self.logs}")
            try:
                get_json(url, timeout=5)
                return
            except urllib.error.HTTPError as error:
                last = f"{error}: {error.read()[:1000].decode(errors='replace')}"
            except (OSError, ValueError) as error:
                last = error
            time.sleep(0.5)
        raise RuntimeError(f"{what} not ready after {timeout} s: {last}")

    def start_proxy(self):
        upstreams = " ".join(f"{LOOPBACK}:{port}" for port in self.app_ports)
        self.started.append("proxy")
        with contextlib.suppress(OSError):
            self.proxy_log.unlink()  # this run's lines only (nginx opens it anew)
        service("proxy.sh", "start", env=self.proxy_env(PROXY_UPSTREAMS=upstreams))

    def proxy_env(self, **extra):
        return {"PROXY_PORT": str(self.proxy_port), "PROXY_ROOT": str(self.proxy_root), **extra}

    @property
    def proxy_log(self):
        return self.proxy_root / "log" / "access.log"

    # --- Faults ---------------------------------------------------------------------------

    def kill_app(self, number):
        """SIGKILL an app server's master and its workers at once; returns when."""
        process = self.apps.pop(number)
        at = time.time()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        return at

    def kill_node(self, number):
        self.killed_nodes.add(number)
        at = time.time()
        service("es-cluster.sh", "kill-node", number)
        return at

    def start_node(self, number):
        """Start a killed node again; returns the seconds until the cluster is green."""
        started = time.monotonic()
        service("es-cluster.sh", "start-node", number)
        self.killed_nodes.discard(number)
        self.wait_green()
        return time.monotonic() - started

    def wait_green(self, timeout=300):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for node in self.cluster:
                with contextlib.suppress(OSError, ValueError):
                    health = get_json(
                        f"{node}/_cluster/health?wait_for_status=green&timeout=10s", timeout=15
                    )
                    if health.get("status") == "green":
                        return health
            time.sleep(1)
        raise RuntimeError(f"the cluster is not green after {timeout} s")

    # --- Reading what the processes are -----------------------------------------------------

    def processes(self):
        """{component: [psutil.Process]} of the run's processes, for their CPU time."""
        import psutil

        def tree(pid):
            with contextlib.suppress(psutil.Error):
                parent = psutil.Process(pid)
                return [parent, *parent.children(recursive=True)]
            return []

        def from_pidfile(path):
            with contextlib.suppress(OSError, ValueError):
                return tree(int(pathlib.Path(path).read_text().split()[0]))
            return []

        groups = {"load generator (Locust)": [psutil.Process()]}
        groups["app servers"] = [p for app in self.apps.values() for p in tree(app.pid)]
        groups["worker"] = tree(self.worker.pid) if self.worker_alive() else []
        groups["PostgreSQL"] = from_pidfile(self.pg_dir / "postmaster.pid")
        groups["nginx"] = from_pidfile(self.proxy_root / "run" / "nginx.pid")
        es_root = pathlib.Path(os.environ.get("ES_ROOT", "/opt/dvctt-kb/elasticsearch"))
        groups["Elasticsearch (3 nodes)"] = [
            p
            for n in (1, 2, 3)
            for p in from_pidfile(es_root / "cluster" / f"node-{n}" / "elasticsearch.pid")
        ]
        redis_root = pathlib.Path(os.environ.get("REDIS_ROOT", "/opt/dvctt-kb/redis"))
        groups["Redis"] = from_pidfile(redis_root / "run" / "redis.pid")
        return groups

    # --- Stopping ---------------------------------------------------------------------------

    def flush_redis(self):
        import redis

        with contextlib.suppress(redis.RedisError):
            redis.Redis.from_url(self.redis_url, socket_timeout=5).flushdb()

    def delete_indices(self):
        for node in self.cluster:
            request = urllib.request.Request(f"{node}/{self.prefix}-*", method="DELETE")
            try:
                with urllib.request.urlopen(request, timeout=30):  # noqa: S310 - loopback only
                    return True
            except urllib.error.HTTPError as error:
                return error.code == 404
            except OSError:
                continue
        return False

    def close(self):
        if self.closed:
            return
        self.closed = True
        problems = []
        if "proxy" in self.started:
            try:
                service("proxy.sh", "stop", env=self.proxy_env())
            except RuntimeError as error:
                problems.append(str(error))
            with contextlib.suppress(OSError):
                shutil.copy(self.proxy_log, self.logs / "nginx-access.log")
        for number, process in list(self.apps.items()):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
            self.apps.pop(number, None)
        if self.worker_alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.worker.pid, signal.SIGTERM)
            try:
                self.worker.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(self.worker.pid, signal.SIGKILL)
                self.worker.wait(timeout=10)
        if "postgres" in self.started:
            try:
                service("postgres.sh", "instance", "stop", self.pg_dir)
            except RuntimeError as error:
                problems.append(str(error))
            shutil.rmtree(self.pg_dir, ignore_errors=True)
        for number in sorted(self.killed_nodes):
            try:
                self.start_node(number)
            except RuntimeError as error:
                problems.append(f"cluster node {number} not started again: {error}")
        if not self.delete_indices():
            problems.append(f"the indices {self.prefix}-* may be left on the cluster")
        self.flush_redis()
        shutil.rmtree(self.folder, ignore_errors=True)
        for problem in problems:
            self.say(f"  clean-up: {problem}")
        self.say(
            f"Cleaned up (logs kept in {self.logs.relative_to(ROOT)}/): proxy, app servers and "
            "worker stopped, PostgreSQL instance stopped and removed, "
            f"indices {self.prefix}-* deleted, Redis database {self.redis_url.rsplit('/', 1)[1]} "
            "emptied."
        )

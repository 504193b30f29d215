"""gunicorn's settings for the site (`gunicorn -c ops/gunicorn.conf.py kb.wsgi`), each from
the environment with a default for one machine of two cores. README: "Serving"."""

import os

# Where to listen: a reverse proxy (TLS, static files' caching) stands in front.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
# Threads, not more processes, for waiting on PostgreSQL, Redis and Elasticsearch: each process
# holds some 160 MB (BENCHMARKS.md, Downloads), a thread little.
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# A download of every record streams for tens of seconds; an import never runs here (the
# worker takes it), so a request this long is stuck.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30  # SIGTERM: requests under way finish first
keepalive = 5
# Off by default: a gthread process that reaches max_requests resets the connections it has
# accepted and not yet read (gunicorn issue 3038, open in 23.0). With one app server down, the
# proxy has nowhere to send those again: the load test's run (c) got a 502 for each. A process
# keeps about 160 MB with no growth seen; if it grows, restart the app servers one at a time
# (docs/production.md, "Upgrading while serving"), which the proxy rides out.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = 500
# Only the proxy's X-Forwarded-* are believed (the rate limits read TRUSTED_PROXIES).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# The site writes its own access line with the request id (ops/requests.py).
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = "dvctt-kb"

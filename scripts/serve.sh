#!/usr/bin/env bash
# `make serve`: the production settings on this machine, against the services that
# `make services` started (.services.env), behind gunicorn: migrate, load the seed, collect
# the static files, then serve on 127.0.0.1:${SERVE_PORT:-8001}, with a background worker,
# until Ctrl-C.
# Variables already set in the environment win over .services.env (a test points the server
# at its own database that way).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}

if [[ ! -f .services.env ]]; then
  echo "Chưa có .services.env: chạy \`make services\` trước (PostgreSQL, Redis, Elasticsearch)." >&2
  exit 1
fi
while IFS='=' read -r key value; do
  [[ -z "${!key+set}" ]] && export "$key=$value"
done < <(grep -E '^[A-Z_]+=' .services.env)

mkdir -p var
# A key of this checkout's own, kept between runs (sessions survive a restart).
[[ -s var/serve-secret-key ]] || "$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(64))' > var/serve-secret-key
export SECRET_KEY=${SECRET_KEY:-$(cat var/serve-secret-key)}
export DJANGO_SETTINGS_MODULE=kb.settings.production
PORT=${SERVE_PORT:-8001}
export ALLOWED_HOSTS=${ALLOWED_HOSTS:-127.0.0.1,localhost}
export GUNICORN_BIND=${GUNICORN_BIND:-127.0.0.1:$PORT}
# Plain HTTP on the loopback: no proxy in front to end TLS.
export SECURE_SSL_REDIRECT=${SECURE_SSL_REDIRECT:-false}
export SECURE_HSTS_SECONDS=${SECURE_HSTS_SECONDS:-0}
export WAGTAILADMIN_BASE_URL=${WAGTAILADMIN_BASE_URL:-http://127.0.0.1:$PORT}
# No SMTP server here: the worker prints the e-mails it sends.
export EMAIL_BACKEND=${EMAIL_BACKEND:-django.core.mail.backends.console.EmailBackend}

"$BIN/python" manage.py migrate --no-input -v0
"$BIN/python" manage.py load_seed > /dev/null
"$BIN/python" manage.py collectstatic --no-input -v0
if [[ -n "${ELASTICSEARCH_URL:-}" && -z "${SERVE_SKIP_INDEX:-}" ]]; then
  "$BIN/python" manage.py search_sync > /dev/null || true  # rows written while it was away
fi
# The background worker (imports, e-mail, search pushes) beside the server, started again if
# it fails (scripts/worker.sh); it stops with the server.
BIN="$BIN" bash scripts/worker.sh &
worker=$!
trap 'kill "$worker" 2>/dev/null; wait "$worker" 2>/dev/null' EXIT
echo "Đang phục vụ (gunicorn, kb.settings.production) tại http://$GUNICORN_BIND/ · Ctrl-C để dừng"
"$BIN/gunicorn" -c ops/gunicorn.conf.py kb.wsgi

# shellcheck shell=bash
# Helpers shared by scripts/backup.sh and scripts/restore.sh. Sourced, not executed; the
# caller sets TOOL (the prefix of its messages) first.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${BIN:-$ROOT/.venv/bin}
# The Django steps (media folders, migrate, search_rebuild) read the servers' settings unless
# the caller names others: production's index prefix, not the development one.
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-kb.settings.production}

say() { echo "[$TOOL] $*"; }
die() { echo "[$TOOL] LỖI (error): $*" >&2; exit 1; }

manage() { "$BIN/python" "$ROOT/manage.py" "$@"; }

# The settings the scripts need, read by Django itself (so their defaults apply): sets
# MEDIA_ROOT_DIR, PRIVATE_ROOT_DIR, INDEX_PREFIX and STORAGE ("local", or "s3" for a bucket).
read_settings() {
  local out
  out=$(manage shell --no-imports -c 'from django.conf import settings as s
print(s.MEDIA_ROOT, s.PRIVATE_MEDIA_ROOT, s.SEARCH_INDEX_PREFIX, sep="\n")
print(getattr(s, "STORAGE_BACKEND", "local"))') ||
    die "không đọc được cấu hình Django (could not load the settings) $DJANGO_SETTINGS_MODULE."
  { read -r MEDIA_ROOT_DIR; read -r PRIVATE_ROOT_DIR; read -r INDEX_PREFIX; read -r STORAGE; } <<<"$out"
}

# --media archives folders: refused when the files are in a bucket.
require_local_files() {
  [ "$STORAGE" = local ] ||
    die "tệp nằm trong bucket (files are in a bucket, STORAGE_BACKEND=$STORAGE): bỏ --media, sao lưu bucket bằng phiên bản hoá hoặc sao chép của nó (use the bucket's versioning or replication)."
}

# The folder of pg_dump, pg_restore and psql: PG_BIN if set, else the newest version of
# Debian's packages (/usr/lib/postgresql/<version>/bin, as scripts/services/postgres.sh finds
# its server), else the ones on PATH. A pg_dump older than the server refuses to run.
pg_bin() {
  local dir=${PG_BIN:-} ver found
  if [ -z "$dir" ]; then
    ver=$(ls /usr/lib/postgresql/*/bin/pg_dump 2>/dev/null | awk -F/ '{print $5}' | sort -n | tail -1 || true)
    if [ -n "$ver" ]; then
      dir=/usr/lib/postgresql/$ver/bin
    elif found=$(command -v pg_dump); then
      dir=$(dirname "$found")
    else
      die "không tìm thấy pg_dump (not found): cài postgresql-client hoặc đặt PG_BIN."
    fi
  fi
  local tool
  for tool in pg_dump pg_restore psql; do
    [ -x "$dir/$tool" ] || die "không có $dir/$tool (missing)."
  done
  echo "$dir"
}

urldecode() {
  local s=${1//\\/\\\\}
  printf '%b' "${s//%/\\x}"
}

# Reads DATABASE_URL, refusing anything but PostgreSQL. Sets DB_NAME, DB_WHERE (host/name, for
# messages) and PG_URL: the same address without its password, which goes to PGPASSWORD
# instead, since any user of the machine can read a command line (ps) but not another user's
# environment. Without a password in the URL, libpq's own PGPASSWORD or ~/.pgpass apply.
read_database_url() {
  local url=${DATABASE_URL:-}
  [ -n "$url" ] || die "DATABASE_URL chưa được đặt (is not set)."
  # scheme://[user[:password]@]host[:port]/name[?options]; the user part ends at the last @,
  # as Python's urllib (and so dj_database_url) reads it.
  local re='^(postgres|postgresql)://(([^/?#]*)@)?([^/?#]*)/([^/?#]+)(\?[^#]*)?$'
  if ! [[ "$url" =~ $re ]]; then
    [[ "$url" == *://* ]] && url="${url%%://*}://…"  # never print a password
    die "DATABASE_URL không phải một cơ sở dữ liệu PostgreSQL (is not a PostgreSQL database URL): $url"
  fi
  local scheme=${BASH_REMATCH[1]} userinfo=${BASH_REMATCH[3]} hostport=${BASH_REMATCH[4]}
  local name=${BASH_REMATCH[5]} query=${BASH_REMATCH[6]}
  if [[ "$userinfo" == *:* ]]; then
    PGPASSWORD=$(urldecode "${userinfo#*:}")
    export PGPASSWORD
  fi
  local user=${userinfo%%:*}
  DB_NAME=$(urldecode "$name")
  DB_WHERE="${hostport:-localhost}/$DB_NAME"
  PG_URL="$scheme://${user:+$user@}$hostport/$name$query"
}

# The files of one backup, named from the .dump or the .sha256 a user gives.
backup_files() {
  local given=$1
  case "$given" in
    *.dump) STEM=${given%.dump} ;;
    *.sha256) STEM=${given%.sha256} ;;
    *) die "cần tệp .dump hoặc .sha256 của scripts/backup.sh (expected a .dump or .sha256 file): $given" ;;
  esac
  DUMP=$STEM.dump
  MEDIA_TAR=$STEM.media.tar.gz
  PRIVATE_TAR=$STEM.private.tar.gz
  SUMS=$STEM.sha256
}

sha256_of() { sha256sum <"$1" | cut -d' ' -f1; }

human_size() { du -h "$1" | cut -f1; }

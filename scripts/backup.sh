#!/usr/bin/env bash
# Backs up the database of DATABASE_URL and, with --media, the uploaded files, into a folder.
#
#   scripts/backup.sh [--media] [FOLDER]      FOLDER, else $BACKUP_DIR
#
# One backup is these files, named for the database and the time (UTC):
#   dvctt-20250701T020000Z.dump            pg_dump --format=custom
#   dvctt-20250701T020000Z.media.tar.gz    MEDIA_ROOT (documents, images)        --media
#   dvctt-20250701T020000Z.private.tar.gz  PRIVATE_MEDIA_ROOT (evidence files)   --media
#   dvctt-20250701T020000Z.sha256          their SHA-256 sums, written last
# Each is written under a hidden temporary name and renamed once complete, and the .sha256
# comes last: a backup that stopped halfway leaves nothing that scripts/restore.sh accepts.
# --media is for folders on a local or network disk; a bucket is backed up by its own means.
# The Django settings (for the media folders) are DJANGO_SETTINGS_MODULE's, by default
# kb.settings.production, so run it with the app servers' environment.
set -euo pipefail
TOOL=backup
. "$(dirname "${BASH_SOURCE[0]}")/_backup_lib.sh"

usage() { echo "usage: $0 [--media] [FOLDER]   (FOLDER defaults to \$BACKUP_DIR)" >&2; exit 2; }

media=0 folder=${BACKUP_DIR:-}
while [ $# -gt 0 ]; do
  case "$1" in
    --media) media=1 ;;
    -h | --help) usage ;;
    -*) usage ;;
    *) folder=$1 ;;
  esac
  shift
done
[ -n "$folder" ] || die "chưa chọn thư mục sao lưu (no folder): scripts/backup.sh FOLDER, hoặc đặt BACKUP_DIR."

read_database_url
pg=$(pg_bin)
if [ "$media" = 1 ]; then
  read_settings
  require_local_files
fi
umask 077  # the dump holds password hashes, the archives evidence files
mkdir -p "$folder"
folder=$(cd "$folder" && pwd)
stem=${DB_NAME//[^A-Za-z0-9_.-]/_}-$(date -u +%Y%m%dT%H%M%SZ)
backup_files "$folder/$stem.dump"
[ ! -e "$SUMS" ] || die "đã có bản sao lưu cùng tên (exists): $SUMS"

temporary=()
cleanup() { rm -f ${temporary[@]+"${temporary[@]}"}; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
partial() { echo "$folder/.$(basename "$1").partial"; }

# The database first, then the files: a file is stored before the row that names it commits,
# so every file the dump refers to is already on disk when the archives are made.
say "Sao lưu cơ sở dữ liệu (dumping the database) $DB_WHERE, pg_dump $("$pg/pg_dump" --version | awk '{print $3}') …"
parts=("$DUMP")
temporary+=("$(partial "$DUMP")")
"$pg/pg_dump" --format=custom --no-password --file="$(partial "$DUMP")" --dbname="$PG_URL"
# A readable archive: its table of contents lists.
"$pg/pg_restore" --list "$(partial "$DUMP")" >/dev/null

if [ "$media" = 1 ]; then
  for pair in "$MEDIA_TAR|$MEDIA_ROOT_DIR" "$PRIVATE_TAR|$PRIVATE_ROOT_DIR"; do
    tarball=${pair%%|*} source=${pair#*|}
    [ -d "$source" ] || die "không có thư mục (no folder) $source: đặt MEDIA_ROOT và PRIVATE_MEDIA_ROOT như trên máy chủ ứng dụng."
    say "Lưu trữ tệp (archiving files) $source …"
    parts+=("$tarball")
    temporary+=("$(partial "$tarball")")
    status=0
    tar --create --gzip --file="$(partial "$tarball")" --directory="$source" . || status=$?
    # 1: a file changed while it was read (uploads go on); the archive is still whole.
    [ "$status" -le 1 ] || die "tar thất bại (failed) với mã $status: $source"
  done
fi

# Sums of the finished parts, on disk before they take their names, then the sums' own file.
sync "${temporary[@]}"
temporary+=("$(partial "$SUMS")")
for part in "${parts[@]}"; do
  echo "$(sha256_of "$(partial "$part")")  $(basename "$part")"
done >"$(partial "$SUMS")"
for part in "${parts[@]}"; do
  mv "$(partial "$part")" "$part"
done
sync "$(partial "$SUMS")"
mv "$(partial "$SUMS")" "$SUMS"
sync "$folder"

say "Xong (done). Bản sao lưu (backup) trong $folder:"
for part in "${parts[@]}" "$SUMS"; do
  say "  $(basename "$part")  $(human_size "$part")"
done
say "Khôi phục (restore): scripts/restore.sh $DUMP"

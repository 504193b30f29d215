#!/usr/bin/env bash
# Restores a backup of scripts/backup.sh into the database of DATABASE_URL.
#
#   scripts/restore.sh [--media] [--yes] BACKUP   BACKUP: its .dump (or .sha256) file
#   scripts/restore.sh --check BACKUP             check the sums and the archive, restore nothing
#
# In order, stopping at the first failure:
#   1. the SHA-256 sums of the files it needs: a damaged or incomplete backup restores nothing;
#   2. refuses a database holding tables the backup lacks (a later release's schema): restore
#      into an empty database instead;
#   3. pg_restore --clean --if-exists --no-owner --single-transaction: the database's tables
#      are replaced by the backup's, all or nothing;
#   4. manage.py migrate, for a backup older than the code;
#   5. with --media, the archived files back into MEDIA_ROOT and PRIVATE_MEDIA_ROOT (files
#      already there and not in the archive stay);
#   6. manage.py search_rebuild when ELASTICSEARCH_URL is set (the index is built from the
#      database, so it needs no backup), and the dashboards' cached figures made stale.
# It asks for the database's name before replacing it, unless --yes. Stop the app servers and
# workers first. The Django steps read DJANGO_SETTINGS_MODULE (default kb.settings.production):
# run it with the app servers' environment, or ELASTICSEARCH_URL= for a trial restore into a
# scratch database, so that the live index is left alone.
set -euo pipefail
TOOL=restore
. "$(dirname "${BASH_SOURCE[0]}")/_backup_lib.sh"

usage() { echo "usage: $0 [--media] [--yes] BACKUP.dump   |   $0 --check BACKUP.dump" >&2; exit 2; }

media=0 yes=0 check=0 given=
while [ $# -gt 0 ]; do
  case "$1" in
    --media) media=1 ;;
    --yes) yes=1 ;;
    --check) check=1 ;;
    -h | --help) usage ;;
    -*) usage ;;
    *) [ -z "$given" ] || usage; given=$1 ;;
  esac
  shift
done
[ -n "$given" ] || usage
if [ "$check" = 0 ]; then read_database_url; fi
pg=$(pg_bin)
backup_files "$given"

# 1. The sums, of the files this restore reads.
[ -f "$DUMP" ] || die "không có tệp (missing) $DUMP."
[ -f "$SUMS" ] || die "không có tệp mã băm (no checksum file) $SUMS: bản sao lưu chưa hoàn tất (the backup is incomplete). Không khôi phục gì (nothing restored)."
needed=("$DUMP")
if [ "$media" = 1 ]; then needed+=("$MEDIA_TAR" "$PRIVATE_TAR"); fi
for file in "${needed[@]}"; do
  [ -f "$file" ] || die "không có tệp (missing) $file. Không khôi phục gì (nothing restored)."
  expected=$(awk -v name="$(basename "$file")" '$2 == name {print $1}' "$SUMS")
  [ -n "$expected" ] || die "$SUMS không có mã băm của (has no checksum for) $(basename "$file"). Không khôi phục gì (nothing restored)."
  [ "$(sha256_of "$file")" = "$expected" ] ||
    die "mã băm không khớp (checksum mismatch): $file bị hỏng (is damaged). Không khôi phục gì (nothing restored)."
done
say "Mã băm khớp (checksums match): ${#needed[@]} tệp (files), $(basename "$DUMP")."

toc=$("$pg/pg_restore" --list "$DUMP") || die "pg_restore không đọc được (cannot read) $DUMP."
made=$(sed -n 's/^; Archive created at //p' <<<"$toc")
source_db=$(sed -n 's/^;[[:space:]]*dbname: //p' <<<"$toc")
backup_tables=$(awk '$4 == "TABLE" && $5 == "public" {print $6}' <<<"$toc" | sort)
say "Bản sao lưu của (backup of) $source_db, tạo lúc (made at) $made: $(wc -l <<<"$backup_tables") bảng (tables)."
if [ "$check" = 1 ]; then
  say "Bản sao lưu nguyên vẹn (backup is intact); chưa khôi phục gì (nothing restored)."
  exit 0
fi

# The Django settings load (and name the media folders) before anything is replaced.
read_settings
if [ "$media" = 1 ]; then require_local_files; fi

# 2. A table the backup does not have would survive --clean, and a foreign key of it would
#    stop the drop of the table it points to; migrate would then trip over it.
psql=("$pg/psql" --no-password --no-psqlrc --quiet --tuples-only --no-align -v ON_ERROR_STOP=1 --dbname="$PG_URL")
target_tables=$("${psql[@]}" -c "SELECT tablename FROM pg_tables WHERE schemaname = 'public'" | sort) ||
  die "không kết nối được (cannot connect to) $DB_WHERE."
extra=$(comm -23 <(echo "$target_tables" | sed '/^$/d') <(echo "$backup_tables"))
if [ -n "$extra" ]; then
  die "$DB_WHERE có bảng mà bản sao lưu không có (has tables the backup lacks): $(paste -sd, <<<"$extra").
  Khôi phục vào một cơ sở dữ liệu trống (restore into an empty database): dropdb rồi createdb, hoặc một DATABASE_URL khác.
  Không khôi phục gì (nothing restored)."
fi

if [ "$yes" = 0 ]; then
  [ -t 0 ] || die "thêm --yes để khôi phục không cần hỏi (pass --yes when not at a terminal)."
  read -r -p "[$TOOL] Thay toàn bộ dữ liệu của (replace all data in) $DB_WHERE? Gõ tên cơ sở dữ liệu (type its name): " answer
  [ "$answer" = "$DB_NAME" ] || die "đã huỷ (cancelled). Không khôi phục gì (nothing restored)."
fi

# 3. One transaction: a failure anywhere leaves the database as it was.
say "Khôi phục cơ sở dữ liệu (restoring the database) $DB_WHERE từ (from) $(basename "$DUMP") …"
"$pg/pg_restore" --clean --if-exists --no-owner --single-transaction --no-password \
  --dbname="$PG_URL" "$DUMP" ||
  die "pg_restore thất bại (failed); giao dịch đã huỷ, cơ sở dữ liệu vẫn như trước (rolled back, the database is as it was)."
say "Đã khôi phục cơ sở dữ liệu (database restored)."

# 4. A backup older than the code gets the migrations it misses.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
manage migrate --no-input >"$log" 2>&1 || {
  cat "$log" >&2
  die "migrate thất bại (failed): cơ sở dữ liệu là của bản sao lưu, chưa chuyển đổi (restored, not migrated)."
}
applied=$(grep -c '^  Applying ' "$log" || true)
if [ "$applied" -gt 0 ]; then
  say "Đã chạy $applied migration (applied $applied migrations): bản sao lưu cũ hơn mã nguồn (backup older than the code)."
else
  say "Không cần migration (no migrations needed): lược đồ đã khớp mã nguồn (schema matches the code)."
fi

# 5. The files.
if [ "$media" = 1 ]; then
  for pair in "$MEDIA_TAR|$MEDIA_ROOT_DIR" "$PRIVATE_TAR|$PRIVATE_ROOT_DIR"; do
    tarball=${pair%%|*} target=${pair#*|}
    mkdir -p "$target"
    tar --extract --gzip --file="$tarball" --directory="$target" ||
      die "tar thất bại (failed): $tarball → $target."
    say "Đã chép lại tệp (files restored) vào $target từ $(basename "$tarball")."
  done
fi

# 6. Search and the cached figures.
if [ -n "${ELASTICSEARCH_URL:-}" ]; then
  say "Dựng lại chỉ mục tìm kiếm (rebuilding the search index) $INDEX_PREFIX-content …"
  manage search_rebuild --no-progress | sed "s/^/[$TOOL]   /" ||
    die "search_rebuild thất bại (failed): cơ sở dữ liệu đã khôi phục; chạy lại manage.py search_rebuild."
else
  say "ELASTICSEARCH_URL chưa đặt (not set): tìm kiếm dùng cơ sở dữ liệu, đã khôi phục cùng dữ liệu (search runs on the database, restored with it)."
fi
if manage shell --no-imports -c 'from dashboards import cache; cache.bump()' >/dev/null 2>&1; then
  say "Số liệu tổng hợp sẽ được tính lại (dashboard figures will be recomputed)."
else
  say "Không làm mới được bộ nhớ đệm (could not reach the cache): số liệu tổng hợp cũ hết hạn sau DASHBOARDS_CACHE_SECONDS."
fi
say "Xong (done): $DB_WHERE là bản sao lưu lúc (now holds the backup of) $made."

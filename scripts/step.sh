#!/usr/bin/env bash
# One set-up step of the Makefile: runs a command with everything it prints going to a log
# file, and prints one line for it. When the command fails: the log's last lines and where the
# whole log is, and the command's exit status.
#
#   scripts/step.sh [--show] LABEL LOG COMMAND [ARG...]
#
# --show: also print the command's standard output after the line (the demo logins); its
# standard error still goes to the log only.
set -uo pipefail

show=
if [ "${1:-}" = --show ]; then
  show=1
  shift
fi
if [ $# -lt 3 ]; then
  echo "usage: $0 [--show] LABEL LOG COMMAND [ARG...]" >&2
  exit 2
fi
label=$1 log=$2
shift 2
tail_lines=${STEP_TAIL_LINES:-25}

mkdir -p "$(dirname "$log")"
printf '  %s … ' "$label"
started=$SECONDS
{
  echo "# $(date '+%Y-%m-%d %H:%M:%S') $label"
  echo "# $*"
} >"$log"
if [ -n "$show" ]; then
  output=$(mktemp)
  "$@" >"$output" 2>>"$log"
  status=$?
  cat "$output" >>"$log"
else
  "$@" >>"$log" 2>&1
  status=$?
fi

if [ "$status" -eq 0 ]; then
  echo "xong ($((SECONDS - started)) giây)"
  if [ -n "$show" ]; then
    cat "$output"
    rm -f "$output"
  fi
  exit 0
fi
[ -n "$show" ] && rm -f "$output"
echo "LỖI (mã $status)"
echo "  ── ${tail_lines} dòng cuối của $log ──"
tail -n "$tail_lines" "$log" | sed 's/^/  │ /'
echo "  Toàn bộ nhật ký: $log"
exit "$status"

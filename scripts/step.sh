#!/usr/bin/env bash
# One set-up step of the Makefile: runs a command with everything it prints going to a log
# file, and prints one line for it, naming the log. When the command fails: the whole log, its
# path, and the command's exit status.
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
  echo "xong ($((SECONDS - started)) giây) · $log"
  if [ -n "$show" ]; then
    cat "$output"
    rm -f "$output"
  fi
  exit 0
fi
[ -n "$show" ] && rm -f "$output"
echo "LỖI (mã $status)"
echo "  ── $log ──"
sed 's/^/  │ /' "$log"
echo "  Toàn bộ nhật ký ở trên, lưu tại $log"
exit "$status"

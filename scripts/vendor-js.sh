#!/usr/bin/env bash
# Copies the admin's JavaScript libraries from npm into static/vendor/, with their licence and
# the version they came from (static/vendor/<name>/VERSION). Run it to upgrade one: change the
# version below, run, look at the admin screens that use it, commit the result. The site needs
# no npm to run; only this script does.
set -euo pipefail
cd "$(dirname "$0")/.."

# name@version, then the files of its npm package to keep.
TOM_SELECT=tom-select@2.6.2
TOM_SELECT_FILES=(
  dist/js/tom-select.popular.min.js
  dist/js/tom-select.popular.min.js.map
  dist/css/tom-select.min.css
  dist/css/tom-select.min.css.map
  LICENSE
)

vendor() {
  local spec=$1 name=${1%@*}
  shift
  local work
  work=$(mktemp -d)
  trap 'rm -rf "$work"' RETURN
  (cd "$work" && npm pack --silent "$spec" >/dev/null && tar xzf ./*.tgz)
  rm -rf "static/vendor/$name"
  mkdir -p "static/vendor/$name"
  for file in "$@"; do
    cp "$work/package/$file" "static/vendor/$name/"
  done
  echo "${spec#*@}" >"static/vendor/$name/VERSION"
  echo "[vendor] $spec -> static/vendor/$name"
}

vendor "$TOM_SELECT" "${TOM_SELECT_FILES[@]}"

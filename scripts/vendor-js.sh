#!/usr/bin/env bash
# Copies the site's JavaScript libraries from npm into static/vendor/, with their licence and
# the version they came from (static/vendor/<name>/VERSION). Run it to upgrade one: change the
# version below, run, look at the screens that use it, commit the result. The site needs no npm
# to run; only this script does.
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

# The charts (README: "Charts"). Vega, Vega-Lite and vega-embed are pinned to the versions that
# vl-convert-python (pyproject.toml) bundles, so that the server's SVG and the browser's chart
# come from the same code: `python -c "import vl_convert as v; print(v.get_vega_version(),
# v.get_vegalite_versions(), v.get_vega_embed_version())"` after upgrading it. vega-embed's
# build includes vega-interpreter (its dependency), the CSP-safe expression evaluator.
VEGA=vega@6.2.0
VEGA_FILES=(build/vega.min.js LICENSE)
VEGA_LITE=vega-lite@6.4.1
VEGA_LITE_FILES=(build/vega-lite.min.js LICENSE)
VEGA_EMBED=vega-embed@7.0.2
VEGA_EMBED_FILES=(build/vega-embed.min.js LICENSE)
# For the browser tests only (tests/browser/axe.py); never served to a page.
AXE_CORE=axe-core@4.11.4
AXE_CORE_FILES=(axe.min.js LICENSE LICENSE-3RD-PARTY.txt)

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
  # A source map the package names but we do not keep: drop the comment that names it, or
  # `collectstatic`'s manifest (production) refuses the file for its missing map.
  for file in "static/vendor/$name"/*.min.js "static/vendor/$name"/*.min.css; do
    if [[ -f $file && ! -f $file.map ]]; then
      sed -i -E '/^\/[/*]# sourceMappingURL=/d' "$file"
    fi
  done
  echo "${spec#*@}" >"static/vendor/$name/VERSION"
  echo "[vendor] $spec -> static/vendor/$name"
}

vendor "$TOM_SELECT" "${TOM_SELECT_FILES[@]}"
vendor "$VEGA" "${VEGA_FILES[@]}"
vendor "$VEGA_LITE" "${VEGA_LITE_FILES[@]}"
vendor "$VEGA_EMBED" "${VEGA_EMBED_FILES[@]}"
vendor "$AXE_CORE" "${AXE_CORE_FILES[@]}"

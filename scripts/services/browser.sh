#!/usr/bin/env bash
# Headless browser for end-to-end tests: Debian's chromium (Playwright's own
# browser download cannot be used here), driven through CHROMIUM_PATH.
#   scripts/services/browser.sh install   install chromium + fonts if missing
#   scripts/services/browser.sh env       print CHROMIUM_PATH
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"

CHROMIUM_PATH=/usr/bin/chromium

install() {
  if [ -x "$CHROMIUM_PATH" ]; then
    log "chromium present: $("$CHROMIUM_PATH" --version 2>/dev/null || echo "$CHROMIUM_PATH")"
  else
    apt_install chromium
  fi
  # Vietnamese text must render with real glyphs in screenshots, not boxes.
  # DejaVu (about 1 MB) covers Vietnamese; it is cheaper than fonts-noto-core.
  if ! fc-list :lang=vi family 2>/dev/null | grep -q .; then
    apt_install fonts-dejavu-core
  fi
  log "browser ready: $CHROMIUM_PATH"
}

case "${1:-}" in
  install) install ;;
  env) echo "CHROMIUM_PATH=$CHROMIUM_PATH" ;;
  *) echo "usage: $0 install|env" >&2; exit 2 ;;
esac

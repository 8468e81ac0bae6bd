#!/usr/bin/env bash
# Installs the system packages the test suite needs, when they are missing. Idempotent.
set -euo pipefail

updated=0
apt_install() {
  if ! command -v apt-get >/dev/null; then
    echo "apt-get not found: install $* by hand" >&2
    exit 1
  fi
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  if [ "$updated" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq
    updated=1
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

install_postgres() {
  if command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    return
  fi
  echo "installing the PostgreSQL server (Debian package postgresql)"
  apt_install postgresql
  # The packaged cluster is not used: tests start their own servers.
  if command -v pg_ctlcluster >/dev/null; then
    for cluster in /etc/postgresql/*/main; do
      [ -d "$cluster" ] || continue
      version=$(basename "$(dirname "$cluster")")
      pg_ctlcluster "$version" main stop >/dev/null 2>&1 || true
    done
  fi
}

install_chromium() {
  if [ -x /usr/bin/chromium ]; then
    return
  fi
  echo "installing Chromium for the browser tests (Debian package chromium)"
  apt_install chromium fonts-liberation
}

install_pdf_libraries() {
  # WeasyPrint (the board paper's PDF) draws text with Pango and HarfBuzz.
  if ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0' \
    && ldconfig -p 2>/dev/null | grep -q 'libharfbuzz-subset.so.0' \
    && fc-list 2>/dev/null | grep -qi 'liberation'; then
    return
  fi
  echo "installing Pango, HarfBuzz and fonts for the PDF papers (Debian packages libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation)"
  apt_install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation fontconfig
}

install_postgres
install_chromium
install_pdf_libraries
echo "test dependencies ready"

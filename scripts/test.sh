#!/usr/bin/env bash
# Install everything the tests need on a fresh machine, then run every test.
# Usage: bash scripts/test.sh [pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[test]"

# Browser tests drive Debian's Chromium through its ChromeDriver; the Nu HTML checker needs Java.
PACKAGES=()
command -v chromium >/dev/null 2>&1 || PACKAGES+=(chromium)
command -v chromedriver >/dev/null 2>&1 || PACKAGES+=(chromium-driver)
command -v java >/dev/null 2>&1 || PACKAGES+=(default-jre-headless)
if [ ${#PACKAGES[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${PACKAGES[@]}"
fi

# Front-end test tools (axe-core, the Nu HTML checker) come from npm, pinned by package-lock.json.
if [ -f package.json ]; then
  # --ignore-scripts: vnu-jar's install script would download a Java runtime; Debian's is used instead.
  npm ci --ignore-scripts --no-audit --no-fund --silent
fi

export NO_MKDOCS_2_WARNING=1
exec .venv/bin/python -m pytest "$@"

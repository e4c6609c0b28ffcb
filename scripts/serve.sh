#!/usr/bin/env bash
# Install what the site needs on a fresh machine, then serve it at http://127.0.0.1:8000/natoca-kb/
# (live reload: edit a YAML file under data/ and the page rebuilds; --dirty rebuilds only the
# pages the edit changed, see natoca/incremental.py).
# Usage: bash scripts/serve.sh [mkdocs serve arguments]   — or: bash scripts/serve.sh build
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q -e .
export NO_MKDOCS_2_WARNING=1
if [ "${1:-}" = "build" ]; then
  shift
  exec .venv/bin/mkdocs build --strict "$@"
fi
exec .venv/bin/mkdocs serve --dirty "$@"

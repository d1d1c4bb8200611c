#!/usr/bin/env bash
# Install what the web UI's browser tests need: Debian's Chromium (driven by Playwright's Python
# client through executable_path=/usr/bin/chromium) and the Python packages of the `web` extra.
# Never runs `playwright install`: no browser build is downloaded.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update
    $SUDO apt-get install -y --no-install-recommends chromium
fi

PY="${PYTHON:-.venv/bin/python}"
"$PY" -m pip install --quiet "fastapi>=0.110" "uvicorn>=0.29" "jinja2>=3.1" "httpx>=0.27" "playwright>=1.44"
chromium --version

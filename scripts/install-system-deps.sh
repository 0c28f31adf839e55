#!/usr/bin/env bash
# Debian packages the project uses: apertium (offline fr->en engine, pivot via Spanish) and
# chromium + chromedriver (the reviewer report's browser test).  Idempotent: installs only
# what is missing.  Uses sudo when not root.
set -euo pipefail
packages=(apertium apertium-fr-es apertium-eng-spa chromium chromium-driver)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "installing Debian packages: ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

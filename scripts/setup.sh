#!/usr/bin/env bash
# Creates .venv and installs what claims-ai needs on a fresh Debian machine. Safe to run again: it only
# reinstalls when pyproject.toml changed. Usage: scripts/setup.sh serve|test
set -euo pipefail
profile="${1:-serve}"
cd "$(dirname "$0")/.."

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "setup: installing Debian packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

python_bin="${PYTHON:-python3.11}"
command -v "$python_bin" >/dev/null 2>&1 || python_bin=python3
"$python_bin" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || {
  echo "setup: claims-ai needs Python 3.11 ($python_bin is $("$python_bin" --version))" >&2; exit 1; }

case "$profile" in
  serve) extras="" ;;
  test)
    # CJK fonts render the Chinese test documents; Chromium runs the browser tests.
    apt_install fonts-noto-cjk fonts-wqy-zenhei fontconfig chromium
    extras="[dev,train]" ;;
  *) echo "usage: scripts/setup.sh serve|test" >&2; exit 2 ;;
esac

[ -x .venv/bin/python ] || "$python_bin" -m venv .venv
stamp=".venv/.installed-${profile}"
want="$(cat pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing Python packages (${profile})"
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  # torch==2.13.0 (train extra) resolves to the local CPU wheel through pip's find-links on our machines.
  .venv/bin/python -m pip install -q -e ".${extras}"
  echo "$want" > "$stamp"
fi

# Sourced by the other scripts: the Python environment the app runs in.
#
# A user who activated their own environment keeps it ($VIRTUAL_ENV).
# Otherwise the project's own .venv is created (python3 -m venv; Debian and
# Ubuntu ship venv as python3-venv, installed here when missing), so a system
# Python under PEP 668 ("externally-managed-environment") is never touched.
# Packages are installed only when a requirements file changed since the
# last install, so a second run is quick and changes nothing.
#
#   ensure_env requirements-dev.txt    # sets $PY to the environment's python
set -euo pipefail

_sudo() { if [ "$(id -u)" -ne 0 ]; then sudo "$@"; else "$@"; fi; }

_make_venv() {
  python3 -m venv .venv 2>/dev/null && return 0
  rm -rf .venv
  echo "python3 cannot make a virtual environment; installing python3-venv" >&2
  _sudo apt-get update -qq
  local ver; ver=$(python3 -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
  DEBIAN_FRONTEND=noninteractive _sudo apt-get install -y -qq python3-venv "python$ver-venv" \
    || DEBIAN_FRONTEND=noninteractive _sudo apt-get install -y -qq python3-venv
  python3 -m venv .venv
}

ensure_env() {
  local requirements=$1
  if [ -n "${VIRTUAL_ENV:-}" ]; then
    PY="$VIRTUAL_ENV/bin/python"
  else
    [ -x .venv/bin/python ] || _make_venv
    PY="$PWD/.venv/bin/python"
  fi
  local env_dir; env_dir=$("$PY" -c 'import sys; print(sys.prefix)')
  local stamp="$env_dir/.backbone-studio-$(basename "$requirements" .txt)"
  local want; want=$(cat requirements*.txt | sha256sum | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "installing Python packages into $env_dir (about 3.3 GB the first time)" >&2
    "$PY" -m pip install -q -r "$requirements"
    echo "$want" > "$stamp"
  fi
  export PATH="$env_dir/bin:$PATH"
}

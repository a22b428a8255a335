#!/usr/bin/env bash
# Install everything the app needs (once), then open it. Arguments pass
# through to the app: `bash scripts/start.sh --self-test` checks an install.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-packages.sh
source scripts/env.sh
ensure_env requirements.txt
exec "$PY" main.py "$@"

#!/usr/bin/env bash
# Install everything the app needs, then open it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-packages.sh
python3 -m pip install -q -r requirements.txt
exec python3 main.py "$@"

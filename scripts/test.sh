#!/usr/bin/env bash
# Install everything the tests need, then run them.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-packages.sh
python3 -m pip install -q -r requirements-dev.txt
lint-imports
exec python3 -m pytest "$@"

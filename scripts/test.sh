#!/usr/bin/env bash
# Install everything the tests need (once), then run them. Arguments pass
# through to pytest: `bash scripts/test.sh tests/unit` is the unit tier (no TensorFlow,
# seconds), `bash scripts/test.sh -m "not slow"` the fast tier.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-packages.sh
source scripts/env.sh
ensure_env requirements-dev.txt
"$PY" -m ruff check --quiet .
lint-imports
exec "$PY" -m pytest "$@"

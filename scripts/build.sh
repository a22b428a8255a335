#!/usr/bin/env bash
# Build the packaged app: dist/BackboneStudio/BackboneStudio (PyInstaller onedir).
#
#   scripts/build.sh                                   # into dist/ and build/
#   scripts/build.sh --distpath /tmp/d --workpath /tmp/w   # anywhere else
#
# Installs what the build needs first: the Debian libraries Qt's xcb plugin
# loads (they are copied into the build from this machine), the app's Python
# packages, PyInstaller, and tf2onnx + onnxruntime for the ONNX export.
# Then checks the result: no dangling links, and the frozen --self-test
# unless SKIP_SELF_TEST=1. Full instructions: docs/PACKAGING.md.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/system-packages.sh
source scripts/env.sh
ensure_env requirements-dev.txt

dist=dist
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  [ "${args[i]}" = "--distpath" ] && dist=${args[i + 1]}
done

start=$SECONDS
"$PY" -m PyInstaller build.spec --noconfirm "$@"
app="$dist/BackboneStudio"
echo "built $app in $((SECONDS - start)) s, $(du -sh "$app" | cut -f1)"

dangling=$(find "$app" -xtype l)
if [ -n "$dangling" ]; then
  echo "error: the build has links to files it left out:" >&2
  echo "$dangling" >&2
  exit 1
fi
if [ "${SKIP_SELF_TEST:-0}" != "1" ]; then
  "$app/BackboneStudio" --self-test
fi

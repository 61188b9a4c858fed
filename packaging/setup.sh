#!/usr/bin/env bash
# The README's two commands: `setup.sh run` installs what is missing, builds and launches the
# workbench; `setup.sh test` installs what is missing, builds and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-run}"
bash packaging/install-deps.sh

jobs="$(nproc)"
cmake --preset release >/dev/null
cmake --build --preset release -j "$jobs"

case "$mode" in
  run)
    exec build/release/app/gui/adapterlab
    ;;
  test)
    # Widgets are tested offscreen; no display is needed.
    export QT_QPA_PLATFORM=offscreen
    ctest --preset release -j "$jobs"
    ;;
  *)
    echo "usage: $0 [run|test]" >&2
    exit 2
    ;;
esac

#!/usr/bin/env bash
# Renders each main view of the workbench to PNG (offscreen) from the GUI test's demo experiment
# file and a tiny real run: docs/images by default. Look at them after changing ui/.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-docs/images}"
mkdir -p "$out"
cmake --build --preset release --target test_mainwindow >/dev/null
ADAPTERLAB_SCREENSHOT_DIR="$(realpath "$out")" QT_QPA_PLATFORM=offscreen \
  build/release/tests/test_mainwindow >/dev/null
ls "$out"/*.png

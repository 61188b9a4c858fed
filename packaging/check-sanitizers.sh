#!/usr/bin/env bash
# Builds the whole project with AddressSanitizer + UndefinedBehaviorSanitizer (preset "asan",
# Debug) and runs every test under them; any report fails the run. Not part of CI: a cold ASan
# build takes ~25 min on 2 cores and would push CI past its 45 minutes.
# usage: packaging/check-sanitizers.sh [ctest args...]
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/install-deps.sh
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$(nproc)"

# UBSan stops at the first report instead of printing and going on. Leaks: only ours count;
# LibTorch, Qt, ICU and fontconfig keep process-lifetime allocations that LSan would report.
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
export ASAN_OPTIONS="detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1"
export LSAN_OPTIONS="suppressions=$PWD/packaging/lsan.supp:print_suppressions=0"
export QT_QPA_PLATFORM=offscreen
# Debug + ASan code is several times slower: Qt Test's 5-minute limit per test function is not
# meant for that (the pre-training test needs about 6 minutes here).
export QTEST_FUNCTION_TIMEOUT=1800000
# package_install packages release binaries; it has nothing to check here.
ctest --preset asan -j "$(nproc)" -E package_install "$@"

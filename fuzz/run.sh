#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for SECONDS (default 600),
# starting from the seed corpora in tests/fuzz_corpus/<target>. New inputs go to
# build/fuzz/corpus/<target>; a finding stops the run and leaves crash-* in build/fuzz/findings.
# usage: fuzz/run.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
shift || true
targets=("${@:-safetensors config tokenizer dataset}")
read -r -a targets <<<"${targets[*]}"

cmake -S fuzz -B build/fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ >/dev/null
cmake --build build/fuzz
mkdir -p build/fuzz/findings
failed=()
for t in "${targets[@]}"; do
  mkdir -p "build/fuzz/corpus/$t"
  echo "== fuzz_$t for ${seconds}s"
  # A finding ends this target's run; the next target still runs.
  if ! build/fuzz/fuzz_"$t" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="build/fuzz/findings/$t-" \
      "build/fuzz/corpus/$t" "tests/fuzz_corpus/$t" >"build/fuzz/$t.log" 2>&1; then
    failed+=("$t")
  fi
  tail -8 "build/fuzz/$t.log"
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "findings in: ${failed[*]} (see build/fuzz/findings and build/fuzz/<target>.log)"
  exit 1
fi
echo "no findings"

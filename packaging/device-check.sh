#!/usr/bin/env bash
# The one prepared check for a lent GPU machine (about 15 minutes of device time in all, so it
# must work the first time): within 10 minutes it
#   1. records the machine (nvidia-smi, python3's torch, CMake, cores),
#   2. configures the headless build against pip's LibTorch found through python3
#      (torch.utils.cmake_prefix_path) and the Debian 12 libraries carried in .device/debs
#      (packaging/device-deps.sh, run here first), unpacked under /tmp, never into /,
#   3. builds the CLI, the bench and adapterlab-device-check (or reuses a carried build/device),
#   4. runs adapterlab-device-check on the GPU (every method: logits, fp32 and bf16 losses against
#      the CPU, a resumed run),
#   5. runs `adapterlab-bench train` at small and base size in fp32, tf32 and bf16,
# writing everything under $OUT (at most 8 files, as the device tool brings back).
#
#   device tool:  run(command="bash packaging/device-check.sh", carry=[".device"], timeout_s=600)
#   here:         packaging/device-check.sh --dry-run   (the same steps on the CPU, small sizes)
set -uo pipefail
cd "$(dirname "$0")/.."

dry=0
[ "${1:-}" = "--dry-run" ] && dry=1
out="${OUT:-$PWD/build/device-check-out}"
mkdir -p "$out"
build="$PWD/build/device"
deps=/tmp/adapterlab-deps
timings="$out/timings.txt"
: >"$timings"
step() { # step NAME COMMAND...: runs it, logs its time and status; later steps still run
  local name="$1" t0 status
  shift
  t0=$(date +%s)
  echo "== $name"
  "$@"
  status=$?
  echo "$name: exit $status in $(($(date +%s) - t0)) s" | tee -a "$timings"
  return $status
}

device=cuda
if [ "$dry" = 1 ]; then device=cpu; fi

machine() {
  {
    date -u
    uname -a
    nproc
    (nvidia-smi || echo "no nvidia-smi") 2>&1
    cmake --version | head -1
    python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda,
                                     torch.cuda.is_available())' 2>&1
    (ldd --version | head -1) 2>&1
  } >"$out/env.txt"
  cat "$out/env.txt"
}

unpack_deps() {
  if [ ! -d .device/debs ]; then
    echo "no .device/debs: building against the machine's own libraries"
    return 0
  fi
  rm -rf "$deps"
  mkdir -p "$deps/bin"
  for f in .device/debs/*.deb; do dpkg-deb -x "$f" "$deps" || return 1; done
  # pkg-config from the bundle, reading only the bundle's .pc files with their /usr under $deps.
  cat >"$deps/bin/pkg-config" <<EOF
#!/bin/sh
LD_LIBRARY_PATH="$deps/usr/lib/x86_64-linux-gnu" PKG_CONFIG_SYSROOT_DIR="$deps" \
PKG_CONFIG_LIBDIR="$deps/usr/lib/x86_64-linux-gnu/pkgconfig:$deps/usr/share/pkgconfig" \
exec "$deps/usr/bin/pkgconf" "\$@"
EOF
  chmod +x "$deps/bin/pkg-config"
  echo "unpacked $(ls .device/debs/*.deb | wc -l) packages into $deps"
}

configure() {
  local torch_prefix="" prefix="" extra=()
  torch_prefix=$(python3 -c 'import torch.utils; print(torch.utils.cmake_prefix_path)' 2>/dev/null)
  if [ -n "$torch_prefix" ] && [ -f "$torch_prefix/Torch/TorchConfig.cmake" ]; then
    prefix="$torch_prefix"
  else
    echo "python3 has no LibTorch CMake files: using the system's LibTorch"
  fi
  if [ -d "$deps/usr" ]; then
    prefix="$prefix;$deps/usr"
    local lib="$deps/usr/lib/x86_64-linux-gnu"
    extra+=(-DPKG_CONFIG_EXECUTABLE="$deps/bin/pkg-config"
            "-DCMAKE_EXE_LINKER_FLAGS=-Wl,-rpath-link,$lib -Wl,--allow-shlib-undefined"
            "-DCMAKE_BUILD_RPATH=$lib")
  fi
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DADAPTERLAB_BUILD_GUI=OFF -DADAPTERLAB_BUILD_TESTS=OFF \
    -DCMAKE_PREFIX_PATH="$prefix" "${extra[@]}"
}

compile() {
  cmake --build "$build" -j "$(nproc)" --target adapterlab-cli adapterlab-bench adapterlab-device-check
}

run_env() { # our binaries find the bundle's transitive libraries (libcurl's) at run time
  if [ -d "$deps/usr" ]; then
    LD_LIBRARY_PATH="$deps/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$@"
  else
    "$@"
  fi
}

checks() {
  run_env "$build/tests/device/adapterlab-device-check" --device "$device" \
    --json "$out/device-check.json" 2>&1 | tee "$out/device-check.txt"
}

bench() {
  if [ "$dry" = 1 ]; then
    run_env "$build/bench/adapterlab-bench" --repeats 1 train --device cpu --sizes small \
      --steps 2 --precision fp32,bf16 2>&1 | tee "$out/bench-train.txt"
  else
    run_env "$build/bench/adapterlab-bench" --repeats 3 train --device cuda --sizes small,base \
      --steps 20 --precision fp32,tf32,bf16 2>&1 | tee "$out/bench-train.txt"
  fi
}

status=0
step machine machine
step deps unpack_deps || status=1
if [ -x "$build/tests/device/adapterlab-device-check" ] && [ -f "$build/CMakeCache.txt" ]; then
  echo "reusing the build in $build (ninja rebuilds what changed)"
fi
{ step configure configure && step build compile; } 2>&1 | tail -n 200 >"$out/build.log"
if [ ! -x "$build/tests/device/adapterlab-device-check" ]; then
  echo "the build failed; its last lines:"
  tail -n 40 "$out/build.log"
  exit 1
fi
tail -n 3 "$out/build.log"
step checks checks || status=1
step bench bench || status=1
cat "$timings"
exit $status

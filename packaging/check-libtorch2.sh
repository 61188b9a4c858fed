#!/usr/bin/env bash
# Builds AdapterLab against Debian 13 "trixie"'s LibTorch 2.6 inside a trixie root made by
# mmdebstrap (the host stays Debian 12 with LibTorch 1.13), then runs the core tests there.
#
#   packaging/check-libtorch2.sh            CPU: core, CLI, bench, core tests; run the tests
#   packaging/check-libtorch2.sh --cuda     CUDA: core + CLI against libtorch-cuda-dev 2.6
#                                           (compile and link only; there is no GPU here)
#   options: --root DIR (default ~/.cache/adapterlab/trixie[-cuda]), --jobs N,
#            --tests REGEX (ctest -R), --no-tests, --prepare (make the root only),
#            --shell (a shell inside the root), --python ARGS... (python3 with PyTorch 2.6
#            inside the root, the rest of the line its arguments: bench reference's second anchor)
#
# The root is made once (CPU ~1.6 GB, ~6 min on a good mirror; CUDA ~7 GB) and reused; packages
# added to the lists below are installed into an existing root. The source is bind-mounted
# read-only at /src (../shared at /shared); the build lives in the root at /build/<flavour>, with
# its own ccache, so a rerun after a small change costs only what changed.
# Needs root (mount namespaces and chroot), mmdebstrap and network access to a Debian mirror.
set -euo pipefail
cd "$(dirname "$0")/.."
src="$PWD"

flavour=cpu
jobs="$(nproc)"
tests_regex=""
run_tests=1
shell=0
prepare=0
python=()
root=""
while [ $# -gt 0 ]; do
  case "$1" in
    --cuda) flavour=cuda ;;
    --root) root="$2"; shift ;;
    --jobs) jobs="$2"; shift ;;
    --tests) tests_regex="$2"; shift ;;
    --no-tests) run_tests=0 ;;
    --shell) shell=1 ;;
    --prepare) prepare=1 ;;
    --python) shift; python=("$@"); break ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "check-libtorch2: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

mirror="${ADAPTERLAB_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/adapterlab"
# What the build needs in either flavour; the tests' Python reference needs python3-torch.
common=(build-essential cmake ninja-build ccache pkg-config file
        libsqlite3-dev nlohmann-json3-dev libcli11-dev libicu-dev zlib1g-dev
        libcurl4-openssl-dev libssl-dev libsentencepiece-dev libgloo-dev python3)
if [ "$flavour" = cpu ]; then
  root="${root:-$cache/trixie}"
  components=main
  packages=("${common[@]}" libtorch-dev libopenblas0-openmp python3-torch sentencepiece
            qt6-base-dev qt6-svg-dev wordnet-base fortunes)
else
  root="${root:-$cache/trixie-cuda}"
  components=main,contrib,non-free,non-free-firmware
  packages=("${common[@]}" libtorch-cuda-dev nvidia-cuda-toolkit)
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "check-libtorch2: needs root (chroot and mount namespaces); run it as root" >&2
  exit 77
fi
command -v mmdebstrap >/dev/null || {
  echo "check-libtorch2: mmdebstrap is missing: apt-get install mmdebstrap" >&2
  exit 77
}

started=$(date +%s)
stamp="$root/.adapterlab-packages"
if [ ! -x "$root/usr/bin/apt-get" ]; then
  echo >&2 "check-libtorch2: making a trixie root in $root ($components)"
  mkdir -p "$(dirname "$root")"
  rm -rf "$root.partial"
  # Made beside its final place and renamed: an interrupted mmdebstrap leaves no half root.
  # nvidia-cudnn (libtorch-cuda's dependency) is only a downloader of NVIDIA's archive, and this
  # machine reaches no NVIDIA server: its licence question is answered "I Decline", so its
  # postinst downloads nothing and the package configures.
  mmdebstrap --variant=apt --components="$components" --include="$(IFS=,; echo "${packages[*]}")" \
    --aptopt='APT::Install-Recommends "false"' \
    --essential-hook='echo "nvidia-cudnn nvidia-cudnn/question select I Decline" | chroot "$1" debconf-set-selections' \
    trixie "$root.partial" "$mirror"
  mv "$root.partial" "$root"
  printf '%s\n' "${packages[@]}" >"$stamp"
elif [ "$(printf '%s\n' "${packages[@]}")" != "$(cat "$stamp" 2>/dev/null)" ]; then
  echo >&2 "check-libtorch2: installing the packages added since $root was made"
  chroot "$root" sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends ${packages[*]}"
  printf '%s\n' "${packages[@]}" >"$stamp"
fi
made=$(date +%s)
if [ "$prepare" = 1 ]; then
  echo "check-libtorch2: $root ready in $((made - started)) s"
  exit 0
fi

# Inside the root, in a private mount namespace: mounts vanish when the build ends, whatever
# happens. /proc, /dev and /tmp for the tests; the sources read-only.
inner="/build/$flavour"
if [ "$flavour" = cpu ]; then
  configure="cmake -S /src -B $inner -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DADAPTERLAB_BUILD_GUI=OFF -DADAPTERLAB_BUILD_TESTS=ON -DADAPTERLAB_SHARED_DATA=/shared/data"
  build="cmake --build $inner -j $jobs"
  if [ "$run_tests" = 1 ]; then
    build="$build && cd $inner && QT_QPA_PLATFORM=offscreen ctest -j $jobs --output-on-failure \
      ${tests_regex:+-R '$tests_regex'}"
  fi
else
  # Debian packages cuDNN only as a downloader (nvidia-cudnn), and libtorch_cuda needs it: link
  # with the missing shared libraries' symbols left unresolved, which still resolves every one
  # of ours against LibTorch.
  configure="cmake -S /src -B $inner -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DADAPTERLAB_BUILD_GUI=OFF -DADAPTERLAB_BUILD_TESTS=OFF \
    -DCMAKE_EXE_LINKER_FLAGS=-Wl,--allow-shlib-undefined \
    -DCMAKE_SHARED_LINKER_FLAGS=-Wl,--allow-shlib-undefined"
  build="cmake --build $inner -j $jobs --target adapterlab-cli adapterlab-bench adapterlab-device-check \
    && grep -q libtorch_cuda $inner/build.ninja \
    && echo 'check-libtorch2: CUDA build compiled and linked (cuDNN not packaged: not run)'"
fi
what="$configure && $build"
if [ "$shell" = 1 ]; then what="cd /src && exec bash -i"; fi
if [ ${#python[@]} -gt 0 ]; then what="cd /src && exec python3 $(printf '%q ' "${python[@]}")"; fi

shared_dir="$src/../shared"
mkdir -p "$root/src" "$root/shared" "$root/build" "$root/tmp"
status=0
unshare --mount --propagation private bash -euo pipefail -c '
  root="$1"; src="$2"; shared="$3"; what="$4"
  mount --bind "$src" "$root/src"
  mount -o remount,bind,ro "$root/src"
  if [ -d "$shared" ]; then mount --bind "$shared" "$root/shared"; mount -o remount,bind,ro "$root/shared"; fi
  mount -t proc proc "$root/proc"
  mount --rbind /dev "$root/dev"
  mount -t tmpfs tmpfs "$root/tmp"
  cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
  exec chroot "$root" env -i HOME=/root PATH=/usr/lib/ccache:/usr/bin:/bin:/usr/sbin:/sbin \
    LANG=C.UTF-8 TERM="${TERM:-dumb}" CCACHE_DIR=/root/.cache/ccache bash -c "$what"
' check "$root" "$src" "$shared_dir" "$what" || status=$?
ended=$(date +%s)
echo >&2 "check-libtorch2: $flavour done in $((ended - started)) s (root $((made - started)) s, build+tests $((ended - made)) s)"
exit $status

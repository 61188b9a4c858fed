#!/usr/bin/env bash
# Installs the Debian 12 packages AdapterLab needs to build, test and run; only the missing ones.
set -euo pipefail

# libopenblas0-openmp: without it LibTorch falls back to the reference BLAS (30x slower matmuls).
# wordnet-base, fortunes: the text of the built-in tasks (builtin:wordnet-pos, ...).
# libcurl4-openssl-dev, libssl-dev: Hub downloads and their sha256; python3: the tests' local Hub
# server; python3-torch: PyTorch's own torch.save/torch.load in the checkpoint and adapter tests.
# libgloo-dev: the headers of c10d's Gloo process group (data-parallel training);
# slurmctld, slurmd, slurm-client, munge: the single-node Slurm cluster the sweep tests submit to.
# libsentencepiece-dev: XLM-R's tokenizer; sentencepiece: spm_train/spm_encode for its tests.
PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config
  libtorch-dev libopenblas0-openmp libsqlite3-dev nlohmann-json3-dev libcli11-dev libicu-dev zlib1g-dev
  libcurl4-openssl-dev libssl-dev python3 python3-torch
  libsentencepiece-dev sentencepiece
  libgloo-dev slurmctld slurmd slurm-client munge
  qt6-base-dev qt6-svg-dev libqcustomplot-dev
  xvfb xauth
  file desktop-file-utils appstream man-db
  wordnet-base fortunes
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"

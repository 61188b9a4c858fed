#!/usr/bin/env bash
# Fetches, here, the Debian 12 packages that a lent GPU machine lacks (it has CMake, ninja, nvcc
# and pip's PyTorch but no network and none of our libraries) into .device/debs (ignored by git;
# ~33 MB). Name ".device" in the device tool's carry; packaging/device-check.sh unpacks them under
# /tmp there (never into /) and builds against them. glibc 2.36's libraries run on newer glibcs.
set -euo pipefail
cd "$(dirname "$0")/.."
# Build: headers, CMake/pkg-config files and libraries of every dependency of core, the CLI and
# the bench. Run: the shared libraries those pull in (libcurl's TLS, HTTP/2, SSH, Kerberos, LDAP).
PACKAGES=(
  libsqlite3-0 libsqlite3-dev nlohmann-json3-dev libcli11-dev libicu72 libicu-dev zlib1g-dev
  libssl3 libssl-dev libsentencepiece0 libsentencepiece-dev libcurl4 libcurl4-openssl-dev
  pkgconf pkgconf-bin libpkgconf3
  libnghttp2-14 libidn2-0 librtmp1 libssh2-1 libpsl5 libgssapi-krb5-2 libkrb5-3 libk5crypto3
  libkrb5support0 libkeyutils1 libldap-2.5-0 libsasl2-2 libbrotli1 libunistring2 libgnutls30
  libhogweed6 libnettle8 libgmp10 libp11-kit0 libtasn1-6 libffi8 libzstd1
)
mkdir -p .device/debs
cd .device/debs
rm -f ./*.deb
# apt's sandbox user cannot write a root-owned folder; the download itself is verified by apt.
apt-get download -o APT::Sandbox::User=root "${PACKAGES[@]}"
echo "device-deps: $(ls ./*.deb | wc -l) packages, $(du -sh . | cut -f1) in .device/debs"

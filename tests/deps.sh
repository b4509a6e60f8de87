#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs every Debian package and npm module that the build, the demo and
# the tests need.  Idempotent: does nothing when everything is there.
set -euo pipefail

APT_PACKAGES=(
  # build
  build-essential cmake pkg-config clang libclang-rt-14-dev
  libssl-dev libp11-dev libp11-kit-dev libcjson-dev libcurl4-openssl-dev
  libpcsclite-dev check valgrind
  # tokens and readers
  softhsm2 opensc opensc-pkcs11 pcscd vsmartcard-vpcd pcsc-tools
  libcacard-dev libnss3-tools gnutls-bin openssl
  # tests and tools
  jq python3 libxml2-utils iproute2 util-linux file procps psmisc xxd mawk
  # browsers for end-to-end tests
  chromium firefox-esr xvfb fonts-wqy-microhei
  # packaging
  rpm wixl msitools mingw-w64 dpkg-dev fakeroot
  # node for the extension and the portal replica
  nodejs npm
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# A newer node than Debian's may already be installed (e.g. /usr/bin/node 20).
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
fi
read -r -a missing <<<"${missing[*]}"
if ((${#missing[@]})); then
  echo "deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=900 update -qq
  apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "deps: all Debian packages present"
fi

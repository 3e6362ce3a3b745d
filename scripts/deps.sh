#!/usr/bin/env bash
# Installs the Debian packages pacslite builds against, when missing:
# DCMTK's IJG libraries (JPEG 8/12/16-bit incl. lossless), CharLS (JPEG-LS),
# OpenJPEG (JPEG 2000, HTJ2K) and g++ for the small C++ shim of the codec
# package. Without them, build with `-tags nocodecs` (RLE only).
# Extra package names given as arguments are installed the same way.
# Uses sudo only when not root. Safe to run again: it installs nothing
# that is already there.
set -euo pipefail
pkgs=(g++ pkg-config libdcmtk-dev libcharls-dev libopenjp2-7-dev "$@")
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"

#!/usr/bin/env bash
# ensure-debian-package.sh COMMAND PACKAGE WHO-NEEDS-IT
# Makes sure COMMAND (a name on PATH or an absolute path) exists, installing Debian's PACKAGE with
# apt-get when it does not. Without root or apt, or when the install fails, it prints why and exits
# 0: the test that needs it then skips and says so, instead of failing the build.
set -uo pipefail
cmd=$1 pkg=$2 who=$3
if command -v "$cmd" >/dev/null 2>&1 || [ -x "$cmd" ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure $pkg: $cmd missing and cannot apt-get here (need root + apt); $who will skip" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
if ! apt-get update -qq >/dev/null || ! apt-get install -y -qq --no-install-recommends "$pkg" >/dev/null; then
  echo "ensure $pkg: apt-get install $pkg failed; $who will skip" >&2
  exit 0
fi
echo "ensure $pkg: installed" >&2

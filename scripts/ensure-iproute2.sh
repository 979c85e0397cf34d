#!/usr/bin/env bash
# Makes sure `ip` (Debian's iproute2) is there for the multi-host test in network namespaces
# (test/cli/netns.test.ts). Without root or apt this prints why and exits 0: the test then skips
# and says so, instead of failing the build.
set -uo pipefail
if command -v ip >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-iproute2: ip missing and cannot apt-get here (need root + apt); the network-namespace test will skip" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
if ! apt-get update -qq >/dev/null || ! apt-get install -y -qq --no-install-recommends iproute2 >/dev/null; then
  echo "ensure-iproute2: apt-get install iproute2 failed; the network-namespace test will skip" >&2
  exit 0
fi
echo "ensure-iproute2: installed $(ip -V 2>/dev/null || echo iproute2)" >&2

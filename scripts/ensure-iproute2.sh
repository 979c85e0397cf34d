#!/usr/bin/env bash
# `ip` (Debian's iproute2) for the multi-host test in network namespaces (test/cli/netns.test.ts).
exec bash "$(dirname "$0")/ensure-debian-package.sh" ip iproute2 "the network-namespace test"

#!/usr/bin/env bash
# `systemd-analyze` (Debian's systemd package) to verify deploy/phantom.service
# (test/deploy/unit.test.ts). Installing the package in a container starts nothing.
exec bash "$(dirname "$0")/ensure-debian-package.sh" systemd-analyze systemd "the systemd unit check"

#!/usr/bin/env bash
# Debian's headless Chromium at /usr/bin/chromium for the dashboard browser test
# (test/admin/dashboard.test.ts). playwright-core never downloads a browser of its own here: the
# only registries reached are npm and Debian, so the browser comes from apt.
exec bash "$(dirname "$0")/ensure-debian-package.sh" /usr/bin/chromium chromium "the dashboard browser test"

#!/usr/bin/env bash
# Make sure Debian's Chromium is present for the browser tests. Idempotent and quiet.
# Never downloads a browser build of its own: only the distribution package.
set -u
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "ensure-chromium: /usr/bin/chromium missing and not root; browser tests will be skipped" >&2
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: no apt-get on this machine; browser tests will be skipped" >&2
  exit 0
fi
echo "ensure-chromium: installing Debian chromium (one-time)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null 2>&1 || true
apt-get install -y -qq chromium >/dev/null 2>&1 \
  || echo "ensure-chromium: apt-get install chromium failed; browser tests will be skipped" >&2
exit 0

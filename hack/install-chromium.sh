#!/usr/bin/env bash
# The diagnostics UI test drives a headless Chromium. It cannot be built
# here like the other test servers, so it comes from the system's package
# manager when there is one and we may use it. Without a browser the test
# skips and says so: this script never fails the build.
set -uo pipefail

for candidate in "${CHROMIUM_BIN:-}" chromium chromium-browser google-chrome; do
	if [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1; then
		exit 0
	fi
done

if ! command -v apt-get >/dev/null 2>&1 || [ "$(id -u)" != 0 ]; then
	echo "install-chromium: no Chromium, and no apt-get as root to install it; the browser test will skip" >&2
	exit 0
fi

echo "install-chromium: installing chromium with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y --no-install-recommends chromium >/tmp/install-chromium.log 2>&1; then
	apt-get update >>/tmp/install-chromium.log 2>&1
	apt-get install -y --no-install-recommends chromium >>/tmp/install-chromium.log 2>&1 ||
		echo "install-chromium: apt-get could not install chromium (see /tmp/install-chromium.log); the browser test will skip" >&2
fi
exit 0

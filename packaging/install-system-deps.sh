#!/usr/bin/env sh
# Debian packages the app and its tests need: fonts (Qt draws empty boxes without any, silently),
# the X/EGL client libraries Qt loads even offscreen, the xcb helpers its X11 plugin needs for
# `make run` on a real display (it refuses to start without libxcb-cursor0), redis-server for the
# scale-out tests and
# desktop-file-utils (the .deb build validates its .desktop file with it).
# Idempotent and quick when everything is present; skipped (with a note) where apt is unavailable.
set -eu
packages="fonts-dejavu-core libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3
 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxkbcommon-x11-0 redis-server desktop-file-utils"
missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if ! command -v apt-get >/dev/null 2>&1 || [ "$(id -u)" != 0 ]; then
  echo "note: cannot install system packages:$missing (needs apt-get as root); install them yourself" >&2
  exit 0
fi
echo "installing system packages:$missing"
apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null

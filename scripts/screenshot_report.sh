#!/usr/bin/env bash
# Screenshot a rendered report in headless Chromium with the network cut off, to check by eye that the
# Chinese text and the plotly charts render offline (no CDN, embedded plotly.js, CJK fonts).
#
#   scripts/screenshot_report.sh reports/<community>/<YYYY-MM>/report.html [out.png] [width] [height]
#
# Networking is disabled three ways: background networking off, every host name resolves to nothing,
# and all traffic goes to a closed local proxy port. A fresh profile is used and deleted afterwards.
set -euo pipefail

html=${1:?usage: $0 REPORT.html [OUT.png] [WIDTH] [HEIGHT]}
out=${2:-${html%.html}.png}
width=${3:-1200}
height=${4:-6000}

browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [[ -z $browser ]]; then
  echo "screenshot: no Chromium found (install \`chromium\`, or run \`make sysdeps\` as root)" >&2
  exit 1
fi
[[ -f $html ]] || { echo "screenshot: $html does not exist" >&2; exit 1; }

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
url="file://$(cd "$(dirname "$html")" && pwd)/$(basename "$html")"
out_abs="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")"

"$browser" --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
  --disable-sync --no-first-run --no-default-browser-check --disable-extensions --mute-audio \
  --host-resolver-rules="MAP * ~NOTFOUND" --proxy-server="127.0.0.1:9" --proxy-bypass-list="<-loopback>" \
  --user-data-dir="$profile" --hide-scrollbars --force-device-scale-factor=1 \
  --window-size="$width,$height" --virtual-time-budget=15000 \
  --screenshot="$out_abs" "$url" >/dev/null 2>&1
echo "$out_abs"

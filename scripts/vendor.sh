#!/usr/bin/env bash
# Fetch the pinned front-end files from the npm registry into static/ (and the
# test-only axe-core into e2e/vendor/). Run it after changing a version below;
# its output is committed, so no build step runs on a user's machine.
set -euo pipefail
cd "$(dirname "$0")/.."

HTMX_VERSION=2.0.11          # 2.0.x: XHR transport with upload progress events
GOVUK_FRONTEND_VERSION=6.3.0 # the release govuk-frontend-jinja 4.1.0 targets
AXE_CORE_VERSION=4.14.1      # tests only
ESBUILD_VERSION=0.28.2       # bundles GOV.UK Frontend's JavaScript down to what we use

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fetch() { # name version -> unpacked into $tmp/name/package
  mkdir -p "$tmp/$1"
  (cd "$tmp/$1" && npm pack --silent "$1@$2" >/dev/null && tar -xzf ./*.tgz)
}

fetch htmx.org "$HTMX_VERSION"
fetch govuk-frontend "$GOVUK_FRONTEND_VERSION"
fetch axe-core "$AXE_CORE_VERSION"

rm -rf static/vendor && mkdir -p static/vendor/htmx static/vendor/govuk-frontend e2e/vendor
cp "$tmp/htmx.org/package/dist/htmx.min.js" static/vendor/htmx/
gf="$tmp/govuk-frontend/package/dist/govuk"
cp "$gf/govuk-frontend.min.css" static/vendor/govuk-frontend/
# Only the components our templates use (scripts/govuk-frontend.mjs), same initAll():
# about 21 KB instead of 47 KB (5.6 KB instead of 9.9 KB as brotli).
mkdir -p "$tmp/build/node_modules"
ln -s "$tmp/govuk-frontend/package" "$tmp/build/node_modules/govuk-frontend"
cp scripts/govuk-frontend.mjs "$tmp/build/entry.mjs"
(cd "$tmp/build" && npx --yes "esbuild@$ESBUILD_VERSION" entry.mjs --bundle --minify \
  --format=esm --target=es2017 --legal-comments=none --log-level=warning \
  --outfile=govuk-frontend.min.js)
{ echo "/* GOV.UK Frontend $GOVUK_FRONTEND_VERSION (MIT), components used by the portal: scripts/govuk-frontend.mjs */"
  cat "$tmp/build/govuk-frontend.min.js"; } > static/vendor/govuk-frontend/govuk-frontend.min.js
# This is not a GOV.UK-branded service: no crown images, and the GDS Transport
# font is taken out of the stylesheet so only the fallback fonts (Arial) remain.
sed -E -i 's/@font-face\{font-family:GDS Transport[^}]*\}//g; s/GDS Transport,//g; s#url\(/assets/images/govuk-crest\.svg\)#none#g' \
  static/vendor/govuk-frontend/govuk-frontend.min.css
cp "$tmp/axe-core/package/axe.min.js" e2e/vendor/

cat > static/vendor/VERSIONS <<V
htmx.org $HTMX_VERSION
govuk-frontend $GOVUK_FRONTEND_VERSION (JavaScript: scripts/govuk-frontend.mjs, esbuild $ESBUILD_VERSION)
axe-core $AXE_CORE_VERSION (e2e/vendor, tests only)
V
echo "vendored: htmx.org $HTMX_VERSION, govuk-frontend $GOVUK_FRONTEND_VERSION, axe-core $AXE_CORE_VERSION"

#!/usr/bin/env bash
# Copy the front-end libraries from their npm packages into static/vendor/.
# Intranets have no internet: the site never loads anything from a CDN.
# Run on a machine that reaches the npm registry (`make vendor`), then commit
# static/vendor/. Versions are pinned here; bump them deliberately.
set -euo pipefail
cd "$(dirname "$0")/.."

BOOTSTRAP=5.3.9
BOOTSTRAP_ICONS=1.13.2
HTMX=2.0.11
ECHARTS=6.1.0

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm init -y >/dev/null && npm install --no-audit --no-fund --ignore-scripts \
  "bootstrap@$BOOTSTRAP" "bootstrap-icons@$BOOTSTRAP_ICONS" "htmx.org@$HTMX" "echarts@$ECHARTS" >/dev/null)
nm="$work/node_modules"
out=static/vendor
rm -rf "$out"
mkdir -p "$out/bootstrap/css" "$out/bootstrap/js" "$out/bootstrap-icons/fonts" "$out/htmx" "$out/echarts"

# whitenoise's manifest storage rewrites sourceMappingURL comments and fails
# on a missing map, so each .map travels with its file.
cp "$nm/bootstrap/dist/css/bootstrap.min.css" "$nm/bootstrap/dist/css/bootstrap.min.css.map" "$out/bootstrap/css/"
cp "$nm/bootstrap/dist/js/bootstrap.bundle.min.js" "$nm/bootstrap/dist/js/bootstrap.bundle.min.js.map" "$out/bootstrap/js/"
cp "$nm/bootstrap-icons/font/bootstrap-icons.min.css" "$out/bootstrap-icons/"
cp "$nm/bootstrap-icons/font/fonts/bootstrap-icons.woff2" "$nm/bootstrap-icons/font/fonts/bootstrap-icons.woff" "$out/bootstrap-icons/fonts/"
cp "$nm/htmx.org/dist/htmx.min.js" "$out/htmx/"
cp "$nm/echarts/dist/echarts.min.js" "$out/echarts/"
for pkg in bootstrap bootstrap-icons htmx.org echarts; do
  cp "$nm/$pkg/LICENSE" "$out/$(echo "$pkg" | sed 's/\.org$//')/LICENSE" 2>/dev/null || true
done
cat > "$out/VERSIONS" <<VERSIONS
bootstrap $BOOTSTRAP
bootstrap-icons $BOOTSTRAP_ICONS
htmx.org $HTMX
echarts $ECHARTS
VERSIONS
echo "vendored into $out:"; find "$out" -type f | sort

#!/usr/bin/env bash
# System libraries the Python packages need: Pango for WeasyPrint (certificate PDFs) and HarfBuzz's
# subsetter (fast font subsetting), fonts. Installs them with apt when missing and we are root.
set -euo pipefail
missing=()
for lib in libpango-1.0.so.0 libpangoft2-1.0.so.0 libharfbuzz-subset.so.0; do
  ldconfig -p | grep -q "$lib" || missing+=("$lib")
done
fc-list 2>/dev/null | grep -qi dejavu || missing+=("fonts-dejavu-core")
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Missing system libraries: ${missing[*]}"
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "Install Pango, libharfbuzz-subset0 and fonts-dejavu-core with your package manager." >&2
  exit 0  # not fatal: everything but certificate rendering works without them
fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core >/dev/null 2>&1 || {
  apt-get update -q >/dev/null
  apt-get install -y -q libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core >/dev/null
}

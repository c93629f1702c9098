#!/usr/bin/env bash
# System packages the project needs: Pango for WeasyPrint (certificate PDFs) and HarfBuzz's
# subsetter (fast font subsetting), fonts, ffprobe and ffmpeg (uploaded videos are checked and given a
# poster frame), and Debian's Chromium for the browser tests (Playwright drives it; it never
# downloads a browser of its own). Installs them with apt when missing and we
# are root.
set -euo pipefail
missing=()
for lib in libpango-1.0.so.0 libpangoft2-1.0.so.0 libharfbuzz-subset.so.0; do
  ldconfig -p | grep -q "$lib" || missing+=("$lib")
done
fc-list 2>/dev/null | grep -qi dejavu || missing+=("fonts-dejavu-core")
command -v chromium >/dev/null || missing+=("chromium")
command -v ffprobe >/dev/null || missing+=("ffmpeg")
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Missing system libraries: ${missing[*]}"
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "Install Pango, libharfbuzz-subset0, fonts-dejavu-core, ffmpeg and chromium with your package manager." >&2
  exit 0  # not fatal: everything but certificate rendering, video uploads and the browser tests works without them
fi
export DEBIAN_FRONTEND=noninteractive
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core ffmpeg chromium)
apt-get install -y -q "${packages[@]}" >/dev/null 2>&1 || {
  apt-get update -q >/dev/null
  apt-get install -y -q "${packages[@]}" >/dev/null
}

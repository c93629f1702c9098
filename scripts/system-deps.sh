#!/usr/bin/env bash
# System packages the project needs: Pango for WeasyPrint (certificate PDFs) and HarfBuzz's
# subsetter (fast font subsetting); fonts for every script a certificate prints, its names in any
# script and its Arabic translation (DejaVu; Noto for Latin and Arabic; Droid Sans Fallback for
# Chinese, Japanese and Korean); gettext's msgfmt (compilemessages builds the translation catalogs);
# ffprobe and ffmpeg (uploaded videos are checked and given a poster frame); and Debian's Chromium
# for the browser tests (Playwright drives it; it never downloads a browser of its own). Installs
# those missing with apt when we are root.
set -euo pipefail
missing=()
libs=$(ldconfig -p 2>/dev/null || true)
for pair in libpango-1.0.so.0=libpango-1.0-0 libpangoft2-1.0.so.0=libpangoft2-1.0-0 \
  libharfbuzz-subset.so.0=libharfbuzz-subset0; do
  grep -qF "${pair%%=*}" <<<"$libs" || missing+=("${pair#*=}")
done
# The installed font families (their files' names where fontconfig's fc-list is absent).
fonts=$(fc-list : family 2>/dev/null || find /usr/share/fonts /usr/local/share/fonts -type f 2>/dev/null || true)
grep -qi dejavu <<<"$fonts" || missing+=("fonts-dejavu-core")
grep -Eqi "Noto ?Naskh ?Arabic" <<<"$fonts" || missing+=("fonts-noto-core")
grep -Eqi "Droid ?Sans ?Fallback" <<<"$fonts" || missing+=("fonts-droid-fallback")
command -v msgfmt >/dev/null || missing+=("gettext")
command -v chromium >/dev/null || missing+=("chromium")
command -v ffprobe >/dev/null || missing+=("ffmpeg")
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Missing system packages: ${missing[*]}"
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "Install ${missing[*]} (Debian names) with your package manager." >&2
  exit 0  # not fatal: everything but certificate rendering, compiling translations, video uploads and the browser tests works without them
fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 || {
  apt-get update -q >/dev/null
  apt-get install -y -q "${missing[@]}" >/dev/null
}

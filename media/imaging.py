"""Image and video processing for uploads: pure functions on file paths, no Django but its translations.

Everything a user uploads is hostile until proven otherwise, so each function refuses early and
plainly (MediaRefused, whose text is shown to the user, in the active language) and the heavy
lifting happens only on what passed: an image's pixel count is checked from its header before a byte
is decoded, only the four accepted image formats are ever parsed (Pillow would otherwise try plugins
such as EPS, which runs Ghostscript), and ffprobe/ffmpeg may only use the MP4/QuickTime and
Matroska/WebM demuxers and the file or HTTP(S) protocols, so a "video" that is really a playlist
cannot make them fetch other files or URLs. The caller passes the limits from settings
(MEDIA_IMAGE_MAX_PIXELS, MEDIA_FFPROBE_TIMEOUT).
"""

from __future__ import annotations

import io
import json
import logging
import math
import os
import random
import shutil
import struct
import subprocess
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.translation import gettext, gettext_lazy, ngettext
from PIL import ExifTags, Image, ImageDraw, ImageFont, ImageOps, ImageSequence

logger = logging.getLogger(__name__)


class MediaRefused(Exception):
    """The file is not acceptable; str(e) is a sentence fit to show the user."""


class ToolMissing(Exception):
    """ffprobe or ffmpeg is not installed: a server problem, not the user's (the caller answers 503)."""


# --- images --------------------------------------------------------------------------------------
MIME_BY_FORMAT = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}
_ACCEPTED_FORMATS = tuple(MIME_BY_FORMAT)
_ANIMATABLE = ("GIF", "WEBP")
# Pillow errors for an unreadable or hostile file: UnidentifiedImageError and truncated data are
# OSErrors; broken headers surface as the others.
_PIL_ERRORS = (
    OSError,
    ValueError,
    SyntaxError,
    EOFError,
    IndexError,
    TypeError,
    struct.error,
    Image.DecompressionBombError,
)
NOT_AN_IMAGE = gettext_lazy("The file is not a readable image.")


@dataclass(frozen=True)
class ImageInfo:
    format: str
    mime: str
    width: int
    height: int


def _open_image(path: str) -> Image.Image:
    """Opens lazily (the header only: nothing is decoded yet), trying only the accepted formats. A
    camera's multi-picture JPEG opens as MPO; it is a JPEG for every purpose here."""
    try:
        return Image.open(path, formats=_ACCEPTED_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # Pillow's own, far higher, limit (or its warning turned into an error): also from the header.
        raise MediaRefused(gettext("The image is too large.")) from exc
    except _PIL_ERRORS as exc:
        raise MediaRefused(str(NOT_AN_IMAGE)) from exc


def _format_of(img: Image.Image) -> str:
    return "JPEG" if img.format == "MPO" else str(img.format)


def _refuse_bombs(img: Image.Image, max_pixels: int) -> int:
    """Refuses, from the header alone, an image that would take more than max_pixels to decode; an
    animation counts every frame, since each is decoded to the full canvas. Returns the frame count."""
    width, height = img.size
    if width * height > max_pixels:
        raise MediaRefused(
            gettext("The image is too large ({width} x {height} pixels); the limit is {limit} pixels.").format(
                width=width, height=height, limit=number_format(max_pixels, force_grouping=True)
            )
        )
    frames = getattr(img, "n_frames", 1) if _format_of(img) in _ANIMATABLE else 1
    if width * height * frames > max_pixels:
        raise MediaRefused(
            gettext("The animation is too large ({frames} frames of {width} x {height} pixels).").format(
                frames=frames, width=width, height=height
            )
        )
    return frames


def _save_kwargs(fmt: str, icc_profile: bytes | None) -> dict:
    kwargs: dict = {"JPEG": {"quality": 90}, "PNG": {"optimize": True}, "WEBP": {"quality": 90}, "GIF": {}}[fmt]
    if icc_profile and fmt != "GIF":
        # Colour, not personal data: dropping it would shift the colours of wide-gamut photos.
        kwargs["icc_profile"] = icc_profile
    return kwargs


def _save_animation(img: Image.Image, dst: str, fmt: str, kwargs: dict) -> None:
    """Re-encodes every frame from its pixels with only the timing and transparency carried over,
    so comments, XMP and application extensions are left behind."""
    frames, durations = [], []
    for frame in ImageSequence.Iterator(img):
        durations.append(frame.info.get("duration", 100))
        copy = frame.copy()
        copy.info = {k: v for k, v in frame.info.items() if k in ("transparency", "background")}
        frames.append(copy)
    if "loop" in img.info:  # absent means "play once"; passing loop=0 would make it loop forever
        kwargs["loop"] = img.info["loop"]
    frames[0].save(dst, format=fmt, save_all=True, append_images=frames[1:], duration=durations, **kwargs)


def image_info(path: str) -> ImageInfo:
    """The format, MIME type and size of an accepted image, from its header."""
    with _open_image(path) as img:
        fmt = _format_of(img)
        return ImageInfo(format=fmt, mime=MIME_BY_FORMAT[fmt], width=img.width, height=img.height)


def image_clean(src: str, dst: str, *, max_pixels: int) -> ImageInfo:
    """Writes to dst a copy of the image at src that is safe to publish: the EXIF orientation applied
    (so it shows upright without its EXIF), and no EXIF, GPS, XMP, comments or text chunks left, in
    the same format (JPEG/WEBP quality 90, PNG optimized, GIF/WEBP animations with all their frames).

    Refuses (MediaRefused) anything that is not a readable JPEG, PNG, WEBP or GIF, and any image of
    more than max_pixels (frames included) before decoding it. Returns the info of the written image.
    """
    with _open_image(src) as probe:
        fmt = _format_of(probe)
        frames = _refuse_bombs(probe, max_pixels)
        try:
            probe.verify()  # checksums where the format has them (PNG); leaves probe unusable
        except _PIL_ERRORS as exc:
            raise MediaRefused(str(NOT_AN_IMAGE)) from exc

    with _open_image(src) as img:
        try:
            kwargs = _save_kwargs(fmt, img.info.get("icc_profile"))
            if frames > 1:
                _save_animation(img, dst, fmt, kwargs)
            else:
                upright = ImageOps.exif_transpose(img)  # a new image; loads (decodes) the pixels
                # The savers fall back on info for exif, xmp, comments and text; keep only the
                # palette transparency (a PNG or GIF would otherwise turn opaque).
                upright.info = {k: v for k, v in img.info.items() if k == "transparency"}
                upright.save(dst, format=fmt, **kwargs)
        except _PIL_ERRORS as exc:
            raise MediaRefused(str(NOT_AN_IMAGE)) from exc
    return image_info(dst)


VARIANT_SPECS: dict[str, dict[str, tuple[int, int]]] = {
    "course_cover": {"thumb": (400, 225), "card": (800, 450)},
    "avatar": {"thumb": (128, 128)},
}


def _variant_box(source: tuple[int, int], target: tuple[int, int]) -> tuple[int, int]:
    """target, or when the source is smaller, the largest box of target's aspect inside the source:
    a variant is never upscaled."""
    scale = min(1.0, source[0] / target[0], source[1] / target[1])
    return max(1, math.floor(target[0] * scale)), max(1, math.floor(target[1] * scale))


def _flatten(img: Image.Image) -> Image.Image:
    """RGB, with any transparency composed onto white (JPEG has no alpha; black would show instead)."""
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        white = Image.new("RGB", rgba.size, (255, 255, 255))
        white.paste(rgba, mask=rgba.getchannel("A"))
        return white
    return img.convert("RGB")


def image_variants(src: str, out_dir: str, specs: dict[str, tuple[int, int]]) -> dict[str, dict]:
    """For each name -> (w, h) of specs, a centre-cropped fit of the image at src (meant to be the
    output of image_clean; an animation gives its first frame) written as out_dir/<name>.webp and
    out_dir/<name>.jpg, RGB at quality 85. Exactly (w, h), unless the source is smaller: then the
    largest box of that aspect it holds. The names are fixed, so a second run overwrites the first.

    Returns {name: {"webp": path, "jpeg": path, "width": w, "height": h}}."""
    for name in specs:
        if not name or os.sep in name or name.startswith("."):
            raise ValueError(f"Bad variant name: {name!r}")
    if not specs:
        return {}
    os.makedirs(out_dir, exist_ok=True)
    with _open_image(src) as img:
        try:
            # Boxes come from the full-resolution size as shown (EXIF orientation applied).
            full = img.size[::-1] if img.getexif().get(ExifTags.Base.Orientation) in (5, 6, 7, 8) else img.size
            if _format_of(img) == "JPEG":
                # Decode at 1/2, 1/4 or 1/8 scale when even the largest variant needs no more: a
                # 50-megapixel photo then costs a fraction of the memory and time. Square, so it
                # holds whichever way the orientation turns the picture.
                largest = max(max(size) for size in specs.values())
                img.draft(None, (2 * largest, 2 * largest))
            base = _flatten(ImageOps.exif_transpose(img))
        except _PIL_ERRORS as exc:
            raise MediaRefused(str(NOT_AN_IMAGE)) from exc

    result: dict[str, dict] = {}
    for name, target in specs.items():
        box = _variant_box(full, target)
        fitted = ImageOps.fit(base, box, method=Image.Resampling.LANCZOS)
        webp = os.path.join(out_dir, f"{name}.webp")
        jpeg = os.path.join(out_dir, f"{name}.jpg")
        fitted.save(webp, format="WEBP", quality=85)
        fitted.save(jpeg, format="JPEG", quality=85, optimize=True)
        result[name] = {"webp": webp, "jpeg": jpeg, "width": box[0], "height": box[1]}
    return result


# --- video ---------------------------------------------------------------------------------------
# Demuxers and protocols ffprobe/ffmpeg may use. "mov" covers MP4 and QuickTime, "matroska" WebM.
_FORMAT_WHITELIST = "mov,matroska"
NOT_A_VIDEO = gettext_lazy("The file is not a readable video.")


@dataclass(frozen=True)
class VideoInfo:
    duration_seconds: int
    codec: str
    width: int | None
    height: int | None
    format_name: str


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise ToolMissing(gettext("{tool} is not installed on this server.").format(tool=name))
    return path


def _input_args(source: str) -> list[str]:
    """The input options and the input: a URL may use only HTTP(S), a local file only the file
    protocol (given as file:<absolute path>, so no name is read as an option or another protocol)."""
    if source.startswith(("http://", "https://")):
        protocols, url = "http,https,tcp,tls", source
    else:
        protocols, url = "file", "file:" + os.path.abspath(source)
    return ["-format_whitelist", _FORMAT_WHITELIST, "-protocol_whitelist", protocols, "-i", url]


def _run(argv: list[str], *, timeout: int) -> subprocess.CompletedProcess:
    try:
        result = subprocess.run(argv, capture_output=True, timeout=timeout, check=False)  # noqa: S603 (a list argv)
    except subprocess.TimeoutExpired as exc:
        raise MediaRefused(
            ngettext(
                "The video could not be read within {count} second.",
                "The video could not be read within {count} seconds.",
                timeout,
            ).format(count=timeout)
        ) from exc
    if result.returncode != 0:
        # The details name paths and URLs: for the log, not for the user.
        logger.info(
            "%s refused the video: %s", os.path.basename(argv[0]), result.stderr[-2000:].decode(errors="replace")
        )
        raise MediaRefused(str(NOT_A_VIDEO))
    return result


def _display_size(stream: dict) -> tuple[int | None, int | None]:
    """The stream's size as shown: a phone video recorded upright is stored sideways with a ±90°
    rotation, and players (and ffmpeg, for the poster) turn it."""
    width, height = stream.get("width"), stream.get("height")
    rotation = stream.get("tags", {}).get("rotate")
    for side_data in stream.get("side_data_list", []):
        rotation = side_data.get("rotation", rotation)
    try:
        turned = int(float(rotation or 0)) % 180 == 90
    except ValueError:
        turned = False
    return (height, width) if turned else (width, height)


def _duration(probe: dict, stream: dict) -> int:
    for value in (probe.get("format", {}).get("duration"), stream.get("duration")):
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            continue
        if math.isfinite(seconds):
            return max(0, round(seconds))
    return 0


def video_probe(source: str, *, timeout: int) -> VideoInfo:
    """Reads a video's container and streams with ffprobe. source is a local path or an http(s) URL
    (a presigned GET): ffprobe reads only the parts it needs, not the whole file.

    ToolMissing without ffprobe; MediaRefused if it cannot read the file within timeout seconds, or
    the file has no video stream (a cover picture in an audio file does not count)."""
    argv = [_tool("ffprobe"), "-v", "error", "-print_format", "json", "-show_format", "-show_streams"]
    result = _run([*argv, *_input_args(source)], timeout=timeout)
    try:
        probe = json.loads(result.stdout or b"{}")
    except ValueError as exc:
        raise MediaRefused(str(NOT_A_VIDEO)) from exc
    stream = next(
        (
            s
            for s in probe.get("streams", [])
            if s.get("codec_type") == "video" and not s.get("disposition", {}).get("attached_pic")
        ),
        None,
    )
    if stream is None:
        raise MediaRefused(gettext("The file has no video stream."))
    width, height = _display_size(stream)
    return VideoInfo(
        duration_seconds=_duration(probe, stream),
        codec=stream.get("codec_name", ""),
        width=width,
        height=height,
        format_name=probe.get("format", {}).get("format_name", ""),
    )


def video_poster(source: str, dst: str, *, duration_seconds: int, timeout: int) -> tuple[int, int]:
    """Writes to dst a JPEG of the frame at min(1, duration/2) seconds (past a fade-in from black, yet
    inside the shortest clip), at most 1280 pixels wide. -ss before -i seeks by the index instead
    of decoding up to that point, which matters for a remote source. Returns the poster's size.

    ToolMissing without ffmpeg; MediaRefused if it cannot produce a frame within timeout seconds."""
    at = min(1.0, max(0, duration_seconds) / 2)
    ffmpeg = _tool("ffmpeg")
    if os.path.exists(dst):
        os.remove(dst)  # so an old poster cannot pass for the new one below
    argv = [ffmpeg, "-nostdin", "-v", "error", "-ss", f"{at:.3f}", *_input_args(source)]
    argv += ["-map", "0:V:0", "-frames:v", "1", "-vf", "scale='min(1280,iw)':-2"]
    argv += ["-f", "image2", "-update", "1", "-c:v", "mjpeg", "-q:v", "3", "-y", "file:" + os.path.abspath(dst)]
    _run(argv, timeout=timeout)
    # ffmpeg exits 0 without writing when it finds no frame at that time.
    if not os.path.exists(dst) or os.path.getsize(dst) == 0:
        raise MediaRefused(gettext("No picture could be taken from the video."))
    try:
        with Image.open(dst, formats=["JPEG"]) as poster:
            return poster.size
    except _PIL_ERRORS as exc:
        raise MediaRefused(gettext("No picture could be taken from the video.")) from exc


# --- demo data -----------------------------------------------------------------------------------
def _wrap(
    draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, width: int
) -> list[str]:
    """Greedy word wrap to width pixels (a word longer than a line gets a line of its own)."""
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and draw.textlength(candidate, font=font) <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines


def demo_cover(title: str, *, seed: int, size: tuple[int, int] = (1600, 900)) -> bytes:
    """A JPEG cover for demo courses, drawn here so seeding needs no network or font files: a
    diagonal gradient between two colours and a few translucent shapes chosen by seed (the same seed
    gives the same bytes), and the title in large text, wrapped and shrunk to fit."""
    rng = random.Random(seed)  # noqa: S311 (decoration, not security)
    width, height = size

    def colour() -> tuple[int, int, int]:
        # Mid-to-dark tones, so the white title always reads.
        return (rng.randint(20, 160), rng.randint(20, 160), rng.randint(40, 180))

    start, end = colour(), colour()
    vertical = Image.linear_gradient("L")
    mask = Image.blend(vertical, vertical.rotate(90), 0.5).resize(size)
    cover = Image.composite(Image.new("RGB", size, end), Image.new("RGB", size, start), mask).convert("RGBA")

    shapes = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(shapes)
    for _ in range(rng.randint(3, 6)):
        fill = (*colour(), rng.randint(40, 110))
        x, y = rng.randint(0, width), rng.randint(0, height)
        r = rng.randint(height // 10, height // 2)
        kind = rng.choice(("circle", "square", "triangle"))
        if kind == "circle":
            draw.ellipse((x - r, y - r, x + r, y + r), fill=fill)
        elif kind == "square":
            draw.rectangle((x - r, y - r, x + r, y + r), fill=fill)
        else:
            draw.polygon([(x, y - r), (x + r, y + r), (x - r, y + r)], fill=fill)
    cover = Image.alpha_composite(cover, shapes).convert("RGB")

    draw = ImageDraw.Draw(cover)
    margin = width // 16
    font_size = height // 8
    while True:
        font = ImageFont.load_default(size=font_size)
        lines = _wrap(draw, title, font, width - 2 * margin)
        fits = all(draw.textlength(line, font=font) <= width - 2 * margin for line in lines)
        if (len(lines) <= 3 and fits) or font_size <= height // 30:
            break
        font_size = int(font_size * 0.85)
    line_height = int(font_size * 1.2)
    y = height - margin - line_height * len(lines)
    for line in lines:
        draw.text((margin + 3, y + 3), line, font=font, fill=(0, 0, 0))  # a shadow, for light patches
        draw.text((margin, y), line, font=font, fill=(255, 255, 255))
        y += line_height

    out = io.BytesIO()
    cover.save(out, format="JPEG", quality=85)
    return out.getvalue()

"""media.imaging on real files made here: Pillow images of each accepted format, a decompression
bomb, garbage, and short videos encoded by ffmpeg. No database."""

import functools
import http.server
import io
import json
import os
import shutil
import struct
import subprocess
import threading
import zlib

import pytest
from PIL import ExifTags, Image, ImageFile, PngImagePlugin

from media import imaging
from media.imaging import (
    VARIANT_SPECS,
    ImageInfo,
    MediaRefused,
    ToolMissing,
    demo_cover,
    image_clean,
    image_variants,
    video_poster,
    video_probe,
)

RED, BLUE, GREEN = (255, 0, 0), (0, 0, 255), (0, 255, 0)
MAX = 50_000_000


def close_to(pixel, colour, tolerance=40):
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], colour, strict=True))


def exif_with_gps(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneCam"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (48.0, 51.0, 24.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (2.0, 21.0, 3.0)
    return exif


def two_halves(size=(60, 40), left=RED, right=BLUE, mode="RGB") -> Image.Image:
    img = Image.new(mode, size, left)
    img.paste(right, (size[0] // 2, 0, size[0], size[1]))
    return img


@pytest.fixture
def photo(tmp_path):
    """A 60x40 JPEG, red left and blue right, stored sideways: orientation 6 says "turn 90° clockwise"."""
    path = tmp_path / "photo.jpg"
    two_halves().save(path, "JPEG", exif=exif_with_gps(orientation=6), comment=b"taken at home", quality=95)
    with Image.open(path) as img:
        assert img.getexif()[ExifTags.Base.Orientation] == 6
        assert img.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    return str(path)


def png_bomb(path, side: int) -> None:
    """A valid 1-bit PNG of side x side pixels, all zero: a few kilobytes that decode to side² pixels."""
    row = b"\x00" * (1 + (side + 7) // 8)  # filter byte + packed bits
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b""))


# --- image_clean ---------------------------------------------------------------------------------
def test_clean_jpeg_drops_exif_and_gps_and_applies_the_orientation(photo, tmp_path):
    dst = str(tmp_path / "clean.jpg")

    info = image_clean(photo, dst, max_pixels=MAX)

    assert info == ImageInfo(format="JPEG", mime="image/jpeg", width=40, height=60)
    with Image.open(dst) as img:
        assert img.format == "JPEG"
        assert img.size == (40, 60)
        assert not img.getexif()
        assert "exif" not in img.info
        assert "comment" not in img.info
        rgb = img.convert("RGB")
        # Turned clockwise: the left (red) half is now the top, the right (blue) half the bottom.
        assert close_to(rgb.getpixel((20, 5)), RED)
        assert close_to(rgb.getpixel((20, 55)), BLUE)


def test_clean_png_keeps_alpha_and_drops_exif_and_text(tmp_path):
    src, dst = tmp_path / "in.png", str(tmp_path / "out.png")
    img = Image.new("RGBA", (50, 30), (0, 0, 0, 0))
    img.paste((0, 255, 0, 255), (10, 10, 40, 20))
    text = PngImagePlugin.PngInfo()
    text.add_text("Author", "Jane Doe, 12 Home Street")
    img.save(src, "PNG", pnginfo=text, exif=exif_with_gps())

    info = image_clean(str(src), dst, max_pixels=MAX)

    assert info == ImageInfo(format="PNG", mime="image/png", width=50, height=30)
    with Image.open(dst) as out:
        assert out.mode == "RGBA"
        assert out.getpixel((0, 0))[3] == 0
        assert out.getpixel((20, 15)) == (0, 255, 0, 255)
        assert not out.getexif()
        assert "Author" not in out.info
        assert not getattr(out, "text", {})


def test_clean_palette_png_keeps_its_transparency(tmp_path):
    src, dst = tmp_path / "in.png", str(tmp_path / "out.png")
    img = Image.new("P", (20, 20), 0)
    img.putpalette([255, 255, 255, 255, 0, 0] + [0] * 762)
    img.paste(1, (5, 5, 15, 15))
    img.save(src, "PNG", transparency=0)

    image_clean(str(src), dst, max_pixels=MAX)

    with Image.open(dst) as out:
        assert out.convert("RGBA").getpixel((0, 0))[3] == 0
        assert out.convert("RGBA").getpixel((10, 10)) == (255, 0, 0, 255)


def test_clean_animated_gif_keeps_every_frame_and_its_timing(tmp_path):
    src, dst = tmp_path / "in.gif", str(tmp_path / "out.gif")
    frames = [Image.new("RGB", (32, 24), colour) for colour in (RED, GREEN, BLUE)]
    frames[0].save(src, "GIF", save_all=True, append_images=frames[1:], duration=120, loop=0, comment=b"secret")

    info = image_clean(str(src), dst, max_pixels=MAX)

    assert info == ImageInfo(format="GIF", mime="image/gif", width=32, height=24)
    with Image.open(dst) as out:
        assert out.n_frames == 3
        assert out.info.get("loop") == 0
        assert out.info.get("duration") == 120
        assert "comment" not in out.info
        colours = []
        for index in range(3):
            out.seek(index)
            colours.append(out.convert("RGB").getpixel((5, 5)))
        assert [close_to(c, want) for c, want in zip(colours, (RED, GREEN, BLUE), strict=True)] == [True] * 3


def test_clean_webp_drops_exif(tmp_path):
    src, dst = tmp_path / "in.webp", str(tmp_path / "out.webp")
    two_halves().save(src, "WEBP", exif=exif_with_gps(orientation=3), quality=95)

    info = image_clean(str(src), dst, max_pixels=MAX)

    assert info == ImageInfo(format="WEBP", mime="image/webp", width=60, height=40)
    with Image.open(dst) as out:
        assert not out.getexif()
        # Orientation 3 is a half turn: the red half is now on the right.
        assert close_to(out.convert("RGB").getpixel((55, 20)), RED)


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize("side", [10_000, 20_000], ids=["over-our-limit", "over-pillows-limit-too"])
def test_clean_refuses_a_decompression_bomb_before_decoding_it(tmp_path, monkeypatch, side):
    bomb = tmp_path / "bomb.png"
    png_bomb(bomb, side)  # 100 or 400 million pixels in a file of a few dozen kilobytes
    assert bomb.stat().st_size < 200_000
    decoded = []
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: decoded.append(self) or pytest.fail("decoded"))

    with pytest.raises(MediaRefused, match="too large"):
        image_clean(str(bomb), str(tmp_path / "out.png"), max_pixels=MAX)

    assert decoded == []
    assert not (tmp_path / "out.png").exists()


def test_clean_refuses_more_pixels_than_the_limit(photo, tmp_path):
    with pytest.raises(MediaRefused, match=r"60 x 40 pixels.*limit is 2,000 pixels"):
        image_clean(photo, str(tmp_path / "out.jpg"), max_pixels=2_000)


def test_clean_counts_every_frame_of_an_animation(tmp_path):
    src = tmp_path / "in.gif"
    frames = [Image.new("RGB", (100, 100), colour) for colour in (RED, GREEN, BLUE)]
    frames[0].save(src, "GIF", save_all=True, append_images=frames[1:])

    with pytest.raises(MediaRefused, match="animation is too large"):
        image_clean(str(src), str(tmp_path / "out.gif"), max_pixels=20_000)
    assert image_clean(str(src), str(tmp_path / "out.gif"), max_pixels=30_000).width == 100


@pytest.mark.parametrize(
    "content",
    [
        b"MZ\x90\x00\x03\x00\x00\x00" + os.urandom(2000),
        os.urandom(4096),
        b"",
        b"GIF89a\x10\x00\x10\x00",  # a header and nothing after it
    ],
    ids=["exe", "random", "empty", "gif-header-only"],
)
def test_clean_refuses_what_is_not_an_image(tmp_path, content):
    src = tmp_path / "upload.jpg"
    src.write_bytes(content)

    with pytest.raises(MediaRefused, match=r"^The file is not a readable image\.$"):
        image_clean(str(src), str(tmp_path / "out"), max_pixels=MAX)


def test_clean_refuses_a_truncated_jpeg(photo, tmp_path):
    src = tmp_path / "cut.jpg"
    with open(photo, "rb") as f:
        data = f.read()
    src.write_bytes(data[: len(data) // 2])

    with pytest.raises(MediaRefused, match="not a readable image"):
        image_clean(str(src), str(tmp_path / "out.jpg"), max_pixels=MAX)


def test_clean_refuses_image_formats_that_are_not_accepted(tmp_path):
    src = tmp_path / "in.bmp"
    Image.new("RGB", (10, 10)).save(src, "BMP")

    with pytest.raises(MediaRefused, match="not a readable image"):
        image_clean(str(src), str(tmp_path / "out"), max_pixels=MAX)


# --- image_variants ------------------------------------------------------------------------------
def test_variants_are_exact_sizes_in_both_formats_and_idempotent(tmp_path):
    src = tmp_path / "cover.jpg"
    two_halves(size=(1600, 1000)).save(src, "JPEG")
    out_dir = str(tmp_path / "variants")

    first = image_variants(str(src), out_dir, VARIANT_SPECS["course_cover"])
    second = image_variants(str(src), out_dir, VARIANT_SPECS["course_cover"])

    assert first == second
    assert sorted(os.listdir(out_dir)) == ["card.jpg", "card.webp", "thumb.jpg", "thumb.webp"]
    for name, (width, height) in VARIANT_SPECS["course_cover"].items():
        assert first[name]["width"] == width
        assert first[name]["height"] == height
        assert first[name]["webp"] == os.path.join(out_dir, f"{name}.webp")
        assert first[name]["jpeg"] == os.path.join(out_dir, f"{name}.jpg")
        for key, fmt in (("webp", "WEBP"), ("jpeg", "JPEG")):
            with Image.open(first[name][key]) as img:
                assert (img.format, img.size, img.mode) == (fmt, (width, height), "RGB")


def test_variants_of_a_large_jpeg_are_decoded_at_a_reduced_scale(tmp_path):
    src = tmp_path / "big.jpg"
    two_halves(size=(4000, 3000)).save(src, "JPEG")

    result = image_variants(str(src), str(tmp_path / "v"), VARIANT_SPECS["avatar"])

    assert (result["thumb"]["width"], result["thumb"]["height"]) == (128, 128)
    with Image.open(result["thumb"]["jpeg"]) as img:
        # Centre crop: the middle column is where red meets blue.
        assert close_to(img.getpixel((10, 64)), RED)
        assert close_to(img.getpixel((118, 64)), BLUE)


def test_variants_never_upscale_a_small_source(tmp_path):
    src = tmp_path / "small.png"
    Image.new("RGB", (300, 300), GREEN).save(src, "PNG")

    result = image_variants(str(src), str(tmp_path / "v"), VARIANT_SPECS["course_cover"])

    # The largest 16:9 box inside 300x300 is 300x168, for both variants.
    for name in ("thumb", "card"):
        assert (result[name]["width"], result[name]["height"]) == (300, 168)
        with Image.open(result[name]["webp"]) as img:
            assert img.size == (300, 168)


def test_variants_follow_the_exif_orientation(photo, tmp_path):
    # Stored 60x40 and turned a quarter: shown 40x60, so the 16:9 box inside it is 40x22.
    result = image_variants(photo, str(tmp_path / "v"), VARIANT_SPECS["course_cover"])

    assert (result["thumb"]["width"], result["thumb"]["height"]) == (40, 22)
    with Image.open(result["thumb"]["jpeg"]) as img:
        assert img.size == (40, 22)


def test_variants_flatten_transparency_on_white(tmp_path):
    src = tmp_path / "avatar.png"
    img = Image.new("RGBA", (256, 256), (0, 0, 0, 0))
    img.paste((255, 0, 0, 255), (96, 96, 160, 160))
    img.save(src, "PNG")

    result = image_variants(str(src), str(tmp_path / "v"), VARIANT_SPECS["avatar"])

    for key in ("jpeg", "webp"):
        with Image.open(result["thumb"][key]) as out:
            assert out.mode == "RGB"
            assert close_to(out.getpixel((2, 2)), (255, 255, 255), tolerance=8)
            assert close_to(out.getpixel((64, 64)), RED)


def test_variants_refuse_garbage(tmp_path):
    src = tmp_path / "x.png"
    src.write_bytes(os.urandom(500))

    with pytest.raises(MediaRefused):
        image_variants(str(src), str(tmp_path / "v"), VARIANT_SPECS["avatar"])


# --- video ---------------------------------------------------------------------------------------
needs_ffmpeg = pytest.mark.skipif(
    not (shutil.which("ffmpeg") and shutil.which("ffprobe")), reason="ffmpeg/ffprobe not installed"
)


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], check=True, timeout=30)


@pytest.fixture(scope="module")
def videos(tmp_path_factory):
    """A 3-second 320x240 H.264 MP4, the same as WebM, and an audio-only M4A."""
    if not (shutil.which("ffmpeg") and shutil.which("ffprobe")):
        pytest.skip("ffmpeg/ffprobe not installed")
    folder = tmp_path_factory.mktemp("videos")
    source = ["-f", "lavfi", "-i", "testsrc=duration=3:size=320x240:rate=10"]
    ffmpeg(*source, "-pix_fmt", "yuv420p", str(folder / "clip.mp4"))
    ffmpeg(*source, "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", str(folder / "clip.webm"))
    ffmpeg("-f", "lavfi", "-i", "sine=duration=1", str(folder / "sound.m4a"))
    return {name: str(folder / name) for name in ("clip.mp4", "clip.webm", "sound.m4a")}


@needs_ffmpeg
def test_probe_mp4(videos):
    info = video_probe(videos["clip.mp4"], timeout=30)

    assert info.duration_seconds == 3
    assert info.codec == "h264"
    assert (info.width, info.height) == (320, 240)
    assert "mp4" in info.format_name


@needs_ffmpeg
def test_probe_webm(videos):
    info = video_probe(videos["clip.webm"], timeout=30)

    assert info.duration_seconds == 3
    assert info.codec == "vp9"
    assert (info.width, info.height) == (320, 240)
    assert "webm" in info.format_name


@needs_ffmpeg
def test_probe_reads_a_url(videos):
    folder, name = os.path.split(videos["clip.mp4"])
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=folder)
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        info = video_probe(f"http://127.0.0.1:{server.server_port}/{name}", timeout=30)
    finally:
        server.shutdown()
        server.server_close()

    assert (info.duration_seconds, info.codec) == (3, "h264")


@needs_ffmpeg
def test_probe_refuses_an_audio_file(videos):
    with pytest.raises(MediaRefused, match=r"^The file has no video stream\.$"):
        video_probe(videos["sound.m4a"], timeout=30)


@needs_ffmpeg
@pytest.mark.parametrize("kind", ["garbage", "truncated", "empty"])
def test_probe_refuses_unreadable_files(videos, tmp_path, kind):
    path = tmp_path / "upload.mp4"
    with open(videos["clip.mp4"], "rb") as f:
        real = f.read()
    path.write_bytes({"garbage": os.urandom(8192), "truncated": real[: len(real) // 2], "empty": b""}[kind])

    with pytest.raises(MediaRefused, match="not a readable video"):
        video_probe(str(path), timeout=30)


@needs_ffmpeg
def test_probe_refuses_a_playlist_posing_as_a_video(videos, tmp_path):
    # An HLS playlist makes an unrestricted ffprobe open the files (or URLs) it lists.
    playlist = tmp_path / "upload.mp4"
    playlist.write_text(f"#EXTM3U\n#EXT-X-TARGETDURATION:3\n#EXTINF:3,\n{videos['clip.mp4']}\n#EXT-X-ENDLIST\n")

    with pytest.raises(MediaRefused, match="not a readable video"):
        video_probe(str(playlist), timeout=30)


@needs_ffmpeg
@pytest.mark.parametrize("name", ["clip.mp4", "clip.webm"])
def test_poster_is_a_jpeg_frame(videos, tmp_path, name):
    dst = tmp_path / "poster.jpg"

    size = video_poster(videos[name], str(dst), duration_seconds=3, timeout=30)

    assert size == (320, 240)
    with Image.open(dst) as img:
        assert (img.format, img.size) == ("JPEG", (320, 240))


@needs_ffmpeg
def test_poster_is_at_most_1280_wide(tmp_path):
    wide = tmp_path / "wide.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc=duration=1:size=1920x800:rate=5", "-pix_fmt", "yuv420p", str(wide))

    assert video_poster(str(wide), str(tmp_path / "p.jpg"), duration_seconds=1, timeout=30) == (1280, 534)


@needs_ffmpeg
def test_poster_of_a_zero_length_duration_takes_the_first_frame(videos, tmp_path):
    assert video_poster(videos["clip.mp4"], str(tmp_path / "p.jpg"), duration_seconds=0, timeout=30) == (320, 240)


@needs_ffmpeg
def test_poster_refuses_garbage(tmp_path):
    src = tmp_path / "x.mp4"
    src.write_bytes(os.urandom(4096))

    with pytest.raises(MediaRefused):
        video_poster(str(src), str(tmp_path / "p.jpg"), duration_seconds=3, timeout=30)


@needs_ffmpeg
def test_poster_refuses_when_no_frame_is_found(videos, tmp_path):
    dst = tmp_path / "p.jpg"
    dst.write_bytes(b"an old poster")

    with pytest.raises(MediaRefused, match="No picture"):
        # A wrong duration: seeking to 1 s of a clip cut to its first 0.2 s finds nothing.
        short = tmp_path / "short.mp4"
        ffmpeg("-i", videos["clip.mp4"], "-t", "0.2", "-c", "copy", str(short))
        video_poster(str(short), str(dst), duration_seconds=30, timeout=30)
    assert not dst.exists()


def test_tool_missing_when_ffprobe_and_ffmpeg_are_not_on_the_path(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))

    with pytest.raises(ToolMissing, match="ffprobe"):
        video_probe(str(tmp_path / "x.mp4"), timeout=5)
    with pytest.raises(ToolMissing, match="ffmpeg"):
        video_poster(str(tmp_path / "x.mp4"), str(tmp_path / "p.jpg"), duration_seconds=3, timeout=5)


def test_timeout_is_refused_with_the_limit_in_the_message(tmp_path, monkeypatch):
    def slow(argv, **kwargs):
        raise subprocess.TimeoutExpired(argv, kwargs["timeout"])

    monkeypatch.setattr(imaging.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(imaging.subprocess, "run", slow)

    with pytest.raises(MediaRefused, match=r"^The video could not be read within 7 seconds\.$"):
        video_probe(str(tmp_path / "x.mp4"), timeout=7)
    with pytest.raises(MediaRefused, match="within 7 seconds"):
        video_poster(str(tmp_path / "x.mp4"), str(tmp_path / "p.jpg"), duration_seconds=3, timeout=7)


def test_probe_reports_the_displayed_size_of_a_rotated_video(monkeypatch):
    stream = {"codec_type": "video", "codec_name": "h264", "width": 1920, "height": 1080}
    stream["side_data_list"] = [{"side_data_type": "Display Matrix", "rotation": -90}]
    probe = {"streams": [stream], "format": {"duration": "12.6", "format_name": "mov,mp4,m4a,3gp,3g2,mj2"}}
    monkeypatch.setattr(imaging.shutil, "which", lambda name: f"/usr/bin/{name}")
    output = json.dumps(probe).encode()
    monkeypatch.setattr(imaging.subprocess, "run", lambda argv, **kw: subprocess.CompletedProcess(argv, 0, output, b""))

    info = video_probe("/videos/phone.mp4", timeout=5)

    assert (info.width, info.height, info.duration_seconds) == (1080, 1920, 13)


# --- demo_cover ----------------------------------------------------------------------------------
def test_demo_cover_is_a_jpeg_of_the_given_size_and_deterministic():
    title = "An Introduction to Distributed Systems with a Deliberately Long Title That Must Wrap"

    first = demo_cover(title, seed=7)
    again = demo_cover(title, seed=7)
    other = demo_cover(title, seed=8)
    small = demo_cover("Python", seed=1, size=(800, 450))

    assert first == again
    assert first != other
    with Image.open(io.BytesIO(first)) as img:
        img.load()
        assert (img.format, img.size) == ("JPEG", (1600, 900))
    with Image.open(io.BytesIO(small)) as img:
        assert img.size == (800, 450)

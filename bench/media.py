"""Upload completion and derivation time for a 5 MB image (a course cover) and a 100 MB video (a
lesson video), on local storage and on an S3 API (moto's server on loopback).

    .venv/bin/python bench/media.py [--runs N] [--no-s3]

Each run does what the API does: ask (upload_create), send the bytes (the local PUT's chunked copy,
or a presigned POST to the bucket), complete (move out of incoming/, size, sniff, Pillow or ffprobe),
then derive (cover variants in WebP and JPEG, or the video's poster frame). It prints the median of
each step. It uses a throwaway test database (SQLite unless DATABASE_URL says otherwise) and
temporary files; the inputs are made once with Pillow and ffmpeg."""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.test")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import override_settings, setup_test_environment  # noqa: E402

from accounts.tests.factories import InstructorFactory  # noqa: E402
from media import services, storage  # noqa: E402


def make_image(path: Path) -> None:
    """A 5 MB JPEG: a noisy 2,600 x 1,700 photo-like image (noise does not compress)."""
    from PIL import Image

    size = (2600, 1700)
    image = Image.effect_noise(size, 64).convert("RGB")
    image = Image.merge("RGB", [image.getchannel(0), image.rotate(90, expand=False).getchannel(0), image.getchannel(0)])
    quality = 96
    image.save(path, "JPEG", quality=quality)
    while path.stat().st_size < 5 * 1024 * 1024 * 0.9 and quality < 100:
        quality += 1
        image.save(path, "JPEG", quality=quality)


def make_video(path: Path) -> None:
    """About 100 MB of H.264 1080p (40 s at 20 Mbit/s)."""
    subprocess.run(
        [
            "ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi",
            "-i", "testsrc2=size=1920x1080:rate=30", "-t", "40", "-c:v", "libx264", "-preset", "ultrafast",
            "-b:v", "20M", "-minrate", "20M", "-maxrate", "20M", "-bufsize", "20M", "-pix_fmt", "yuv420p", str(path),
        ],
        check=True,
    )  # fmt: skip


def send(upload, source: Path) -> None:
    if storage.is_s3():
        import requests

        step = services.upload_instructions(upload)
        with open(source, "rb") as f:
            response = requests.post(step["url"], data=step["fields"], files={"file": f}, timeout=300)
        response.raise_for_status()
    else:
        with open(source, "rb") as f:
            storage.write_stream(upload.incoming_key, f, max_bytes=upload.size)


def one_run(owner, purpose: str, source: Path, content_type: str) -> dict[str, float]:
    times = {}
    started = time.perf_counter()
    upload = services.upload_create(
        actor=owner, purpose=purpose, filename=source.name, content_type=content_type, size=source.stat().st_size
    )
    times["ask"] = time.perf_counter() - started
    started = time.perf_counter()
    send(upload, source)
    times["upload"] = time.perf_counter() - started
    started = time.perf_counter()
    upload = services.upload_complete(actor=owner, upload_id=upload.pk)
    times["complete"] = time.perf_counter() - started
    started = time.perf_counter()
    services.upload_derive(upload_id=upload.pk)
    times["derive"] = time.perf_counter() - started
    services.upload_delete(actor=owner, upload_id=upload.pk)
    return times


def measure(label: str, runs: int, inputs: dict) -> None:
    owner = InstructorFactory()
    for purpose, (source, content_type) in inputs.items():
        results = [one_run(owner, purpose, source, content_type) for _ in range(runs)]
        size = source.stat().st_size / (1024 * 1024)
        medians = {step: statistics.median(r[step] for r in results) for step in results[0]}
        print(
            f"| {label} | {purpose} ({size:.0f} MB) | "
            + " | ".join(f"{medians[s] * 1000:,.0f} ms" for s in ("ask", "upload", "complete", "derive"))
            + " |"
        )


def moto_server():
    import logging

    import boto3
    from moto.server import ThreadedMotoServer

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's server logs every request
    endpoint = f"http://127.0.0.1:{port}"
    boto3.client(
        "s3", endpoint_url=endpoint, aws_access_key_id="x", aws_secret_access_key="x", region_name="us-east-1"
    ).create_bucket(Bucket="bench")
    options = {
        "bucket_name": "bench",
        "endpoint_url": endpoint,
        "region_name": "us-east-1",
        "access_key": "x",
        "secret_key": "x",
        "location": "media",
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,
    }
    return server, {**settings.STORAGES, "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-s3", action="store_true", help="Local storage only.")
    args = parser.parse_args()
    setup_test_environment()
    services.enqueue_on_commit = lambda *args, **kwargs: None  # derivation is timed on its own below
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            image, video = Path(tmp) / "cover.jpg", Path(tmp) / "lecture.mp4"
            started = time.perf_counter()
            make_image(image)
            make_video(video)
            print(f"inputs made in {time.perf_counter() - started:.1f} s")
            inputs = {"course_cover": (image, "image/jpeg"), "lesson_video": (video, "video/mp4")}
            print("| storage | file | ask | upload | complete | derive |\n|---|---|---|---|---|---|")
            with override_settings(MEDIA_ROOT=str(Path(tmp) / "media")):
                measure("local", args.runs, inputs)
            if not args.no_s3:
                server, storages_setting = moto_server()
                try:
                    with override_settings(STORAGES=storages_setting, MEDIA_VIDEO_MAX_BYTES=2048 * 1024 * 1024):
                        measure("S3 (moto)", args.runs, inputs)
                finally:
                    server.stop()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()

"""Fixtures of the media tests: a storage of each test's own (a fresh MEDIA_ROOT, or a fresh bucket on
moto's S3 server on loopback), and real files made once per session (an MP4 by ffmpeg, a PDF by
WeasyPrint)."""

import shutil
import socket
import subprocess
import uuid

import boto3
import pytest

from conftest import require_service

S3_CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test", "region_name": "us-east-1"}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Each test writes to a media folder of its own, so what it finds there is what it made."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = str(root)
    return root


@pytest.fixture(scope="session")
def moto_endpoint():
    """moto's S3 server on a free loopback port, for the whole session: each test gets a bucket of
    its own (moto keeps its state for the life of the server)."""
    from moto.server import ThreadedMotoServer

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3_storage(settings, moto_endpoint):
    """STORAGES' default on a fresh, empty bucket of moto's S3 server (as MEDIA_STORAGE=s3 configures
    it). Yields a boto3 client, with `.bucket` set to the bucket's name."""
    bucket = f"lms-media-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=moto_endpoint, **S3_CREDENTIALS)
    client.create_bucket(Bucket=bucket)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": moto_endpoint,
                "region_name": "us-east-1",
                "access_key": "test",
                "secret_key": "test",
                "location": "media",
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
            },
        },
    }
    client.bucket = bucket
    return client


@pytest.fixture(params=["local", "s3"])
def any_storage(request):
    """Runs the test on local storage and on S3."""
    if request.param == "s3":
        request.getfixturevalue("s3_storage")
    return request.param


@pytest.fixture(scope="session")
def mp4(tmp_path_factory) -> bytes:
    """A 2-second 160x120 H.264 video, made by ffmpeg once per session."""
    require_service("ffmpeg", shutil.which("ffmpeg") is not None, "install Debian's ffmpeg")
    out = tmp_path_factory.mktemp("video") / "clip.mp4"
    subprocess.run(
        [
            shutil.which("ffmpeg"),
            *("-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc=duration=2:size=160x120:rate=10"),
            *("-pix_fmt", "yuv420p", "-y", str(out)),
        ],
        check=True,
        timeout=60,
    )
    return out.read_bytes()


@pytest.fixture(scope="session")
def pdf() -> bytes:
    import weasyprint

    return weasyprint.HTML(string="<h1>Week 1</h1><p>Reading list.</p>").write_pdf()

"""Fixtures of the media tests: a storage of each test's own (a fresh MEDIA_ROOT, or a fresh bucket on
moto's S3 server on loopback: `s3_storage`, in the root conftest.py), and real files made once per
session (an MP4 by ffmpeg, a PDF by WeasyPrint)."""

import shutil
import subprocess

import pytest

from conftest import require_service


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


@pytest.fixture(autouse=True)
def _own_media_folder(media_root):
    """Every test here stores files: each in a media folder of its own (the root conftest's media_root)."""

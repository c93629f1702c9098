"""seed_demo gives every demo course a real cover, drawn by Pillow and stored through the upload
services, once the catalog is committed; a second run adds none, and a dry run leaves no file."""

from io import StringIO

import pytest
from django.core.management import call_command

from courses.models import Course
from courses.tests.media_helpers import stored_files
from media.models import Upload, UploadStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


def seed(capture, *args) -> str:
    out = StringIO()
    with capture(execute=True):
        call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_every_demo_course_gets_a_cover_once(django_capture_on_commit_callbacks):
    out = seed(django_capture_on_commit_callbacks)

    courses = list(Course.objects.select_related("cover", "instructor"))
    assert courses and all(c.cover_id for c in courses)
    assert f"Demo covers: {len(courses)} added." in out
    for course in courses:
        cover = course.cover
        assert cover.owner_id == course.instructor_id and cover.status == UploadStatus.READY
        assert (cover.width, cover.height, cover.detected_type) == (1600, 900, "image/jpeg")
        assert cover.derived_at and set(cover.variants) == {"thumb", "card"}
        assert cover.attached_at
    files = stored_files()
    assert len(files) == 5 * len(courses)  # each: the image, thumb and card in JPEG and WebP

    seed(django_capture_on_commit_callbacks)

    assert Upload.objects.count() == len(courses)
    assert stored_files() == files


def test_a_dry_run_writes_no_file(django_capture_on_commit_callbacks):
    seed(django_capture_on_commit_callbacks, "--dry-run")

    assert not Upload.objects.exists()
    assert stored_files() == set()

"""A course's uploaded cover: POST/PATCH /courses/<id>/ with `cover` (an upload id, or null), what the
catalog and the course page show, and the files deleted when a cover is replaced, removed or its
course deleted."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import ROLES, client_for
from courses import services
from courses.models import Course
from courses.tests.api.helpers import COURSES, course_of_kind, course_url, create_body, table
from courses.tests.factories import PublishedCourseFactory
from courses.tests.media_helpers import files_of, refused_on, upload_asked, upload_ready
from media.models import Upload
from media.services import upload_attach

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


def cover_ready(user, capture) -> str:
    """A ready cover of `user`'s, its variants made (the derivation runs after commit)."""
    with capture(execute=True):
        return upload_ready(user, "course_cover")


def test_attaching_a_cover_shows_it_with_its_variants(
    clients, instructor, published, django_capture_on_commit_callbacks
):
    cover = cover_ready(instructor, django_capture_on_commit_callbacks)

    response = clients["instructor"].patch(course_url(published.pk), {"cover": cover}, format="json")

    assert response.status_code == 200, response.content
    shown = response.data["cover"]
    assert shown["url"].startswith("http://testserver/files/public/") and cover in shown["url"]
    assert (shown["width"], shown["height"]) == (640, 360)
    for name in ("thumb", "card"):
        variant = shown["variants"][name]
        assert variant["url"].endswith(f"/{name}.jpg") and variant["webp_url"].endswith(f"/{name}.webp")
        assert variant["width"] and variant["height"]
    assert response.data["thumbnail_url"] == shown["variants"]["card"]["url"]
    assert Upload.objects.get(pk=cover).attached_at is not None
    # The catalog shows it too, and the public file is served.
    listed = {row["id"]: row for row in client_for(None).get(COURSES).data["results"]}[published.pk]
    assert listed["cover"] == shown
    public = client_for(None).get(shown["variants"]["card"]["url"].removeprefix("http://testserver"))
    assert public.status_code == 200
    assert b"".join(public.streaming_content if public.streaming else [public.content])[:3] == b"\xff\xd8\xff"


def test_thumbnail_url_falls_back_to_the_cover_then_to_the_external_url(clients, instructor, published):
    Course.objects.filter(pk=published.pk).update(thumbnail_url="https://cdn.example.com/old.png")
    assert clients["anonymous"].get(course_url(published.pk)).data["thumbnail_url"] == "https://cdn.example.com/old.png"

    cover = upload_ready(instructor, "course_cover")  # not derived: no on_commit callbacks ran
    response = clients["instructor"].patch(course_url(published.pk), {"cover": cover}, format="json")

    assert response.data["cover"]["variants"] == {"thumb": None, "card": None}
    assert response.data["thumbnail_url"] == response.data["cover"]["url"]


def test_replacing_the_cover_deletes_the_old_one_after_commit(
    clients, instructor, published, django_capture_on_commit_callbacks
):
    old = cover_ready(instructor, django_capture_on_commit_callbacks)
    services.course_update(actor=instructor, course=published, data={"cover": old})
    new = cover_ready(instructor, django_capture_on_commit_callbacks)
    assert len(files_of(old)) == 5  # the image, and thumb and card in JPEG and WebP

    with django_capture_on_commit_callbacks(execute=True):
        response = clients["instructor"].patch(course_url(published.pk), {"cover": new}, format="json")

    assert response.status_code == 200, response.content
    assert new in response.data["cover"]["url"]
    assert not Upload.objects.filter(pk=old).exists()
    assert files_of(old) == set()
    assert files_of(new)


def test_the_same_cover_again_changes_nothing(clients, instructor, published, django_capture_on_commit_callbacks):
    cover = cover_ready(instructor, django_capture_on_commit_callbacks)
    services.course_update(actor=instructor, course=published, data={"cover": cover})
    before = files_of(cover)

    with django_capture_on_commit_callbacks(execute=True):
        response = clients["instructor"].patch(course_url(published.pk), {"cover": cover}, format="json")

    assert response.status_code == 200
    assert cover in response.data["cover"]["url"]
    assert files_of(cover) == before


def test_null_removes_the_cover_and_its_files(clients, instructor, published, django_capture_on_commit_callbacks):
    cover = cover_ready(instructor, django_capture_on_commit_callbacks)
    services.course_update(actor=instructor, course=published, data={"cover": cover})

    with django_capture_on_commit_callbacks(execute=True):
        response = clients["instructor"].patch(course_url(published.pk), {"cover": None}, format="json")

    assert response.status_code == 200
    assert response.data["cover"] is None
    assert Course.objects.get(pk=published.pk).cover_id is None
    assert not Upload.objects.filter(pk=cover).exists()
    assert files_of(cover) == set()


def test_a_course_created_with_a_cover(clients, instructor, category):
    cover = upload_ready(instructor, "course_cover")

    response = clients["instructor"].post(COURSES, create_body(category, cover=cover), format="json")

    assert response.status_code == 201, response.content
    assert cover in response.data["cover"]["url"]
    assert str(Course.objects.get(pk=response.data["id"]).cover_id) == cover


def test_a_course_created_with_a_bad_cover_is_not_created(clients, other_instructor, category):
    theirs = upload_ready(other_instructor, "course_cover")

    response = clients["instructor"].post(COURSES, create_body(category, cover=theirs), format="json")

    refused_on(response, "cover")
    assert not Course.objects.filter(title="Practical Django").exists()


def test_deleting_a_course_deletes_its_cover(clients, instructor, draft, django_capture_on_commit_callbacks):
    cover = cover_ready(instructor, django_capture_on_commit_callbacks)
    services.course_update(actor=instructor, course=draft, data={"cover": cover})

    with django_capture_on_commit_callbacks(execute=True):
        response = clients["instructor"].delete(course_url(draft.pk))

    assert response.status_code == 204
    assert not Upload.objects.filter(pk=cover).exists()
    assert files_of(cover) == set()


def test_an_archived_instead_of_deleted_course_keeps_its_cover(
    clients, instructor, student, published, django_capture_on_commit_callbacks
):
    from courses.tests.factories import EnrollmentFactory

    EnrollmentFactory(student=student, course=published)
    cover = cover_ready(instructor, django_capture_on_commit_callbacks)
    services.course_update(actor=instructor, course=published, data={"cover": cover})

    with django_capture_on_commit_callbacks(execute=True):
        assert clients["instructor"].delete(course_url(published.pk)).status_code == 204

    assert Course.objects.get(pk=published.pk).cover_id is not None
    assert files_of(cover)


# --- refusals: 400 on `cover`, and nothing changes -----------------------------------------------
def _refused(client, course, cover) -> str:
    before = Course.objects.get(pk=course.pk).cover_id
    code = refused_on(client.patch(course_url(course.pk), {"cover": cover}, format="json"), "cover")
    assert Course.objects.get(pk=course.pk).cover_id == before
    return code


def test_someone_elses_upload_is_refused(clients, other_instructor, published):
    theirs = upload_ready(other_instructor, "course_cover")
    assert _refused(clients["instructor"], published, theirs) == "invalid_upload"
    assert Upload.objects.get(pk=theirs).attached_at is None


def test_an_upload_of_another_purpose_is_refused(clients, instructor, published):
    avatar = upload_ready(instructor, "avatar")
    assert _refused(clients["instructor"], published, avatar) == "invalid_upload"


def test_an_upload_not_completed_is_refused(clients, instructor, published):
    pending = upload_ready(instructor, "course_cover", complete=False)
    assert _refused(clients["instructor"], published, pending) == "upload_not_ready"
    asked, _, _ = upload_asked(instructor, "course_cover")
    assert _refused(clients["instructor"], published, asked) == "upload_not_ready"


def test_an_upload_in_use_elsewhere_is_refused(clients, instructor, published):
    other = PublishedCourseFactory(instructor=instructor)
    cover = upload_ready(instructor, "course_cover")
    services.course_update(actor=instructor, course=other, data={"cover": cover})

    assert _refused(clients["instructor"], published, cover) == "upload_in_use"


def test_an_upload_attached_by_another_service_is_refused(clients, instructor, published):
    cover = upload_ready(instructor, "course_cover")
    upload_attach(actor=instructor, upload_id=cover, purposes="course_cover", field="x")
    assert _refused(clients["instructor"], published, cover) == "upload_in_use"


@pytest.mark.parametrize("bad", ["not-a-uuid", 12, "00000000-0000-0000-0000-000000000000"])
def test_a_bad_or_unknown_id_is_refused(clients, published, bad):
    _refused(clients["instructor"], published, bad)


# --- who may -------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["published", "draft"])
@pytest.mark.parametrize("role", ROLES)
def test_cover_patch_for_every_role(clients, instructor, admin_user, published, draft, kind, role):
    course = course_of_kind(kind, published, draft)
    expected = table(kind)[role]
    # The admin attaches an upload of their own (an admin editing someone's course may).
    cover = upload_ready(admin_user if role == "admin" else instructor, "course_cover")

    response = clients[role].patch(course_url(course.pk), {"cover": cover}, format="json")

    assert response.status_code == expected
    attached = Course.objects.get(pk=course.pk).cover_id
    assert (str(attached) == cover) == (expected == 200)
    assert (Upload.objects.get(pk=cover).attached_at is not None) == (expected == 200)


def test_an_admin_may_attach_the_instructors_upload(clients, instructor, published):
    cover = upload_ready(instructor, "course_cover")
    response = clients["admin"].patch(course_url(published.pk), {"cover": cover}, format="json")
    assert response.status_code == 200, response.content


def test_the_platform_attaches_only_the_instructors_uploads(instructor, other_instructor, published):
    from lms.errors import InvalidInput

    theirs = upload_ready(other_instructor, "course_cover")
    with pytest.raises(InvalidInput):
        services.course_update(actor=None, course=published, data={"cover": theirs})
    mine = upload_ready(instructor, "course_cover")
    assert str(services.course_update(actor=None, course=published, data={"cover": mine}).cover_id) == mine


# --- the cached public page and query counts -------------------------------------------------------
def test_the_cached_course_page_is_served_only_under_its_origin(settings, clients, instructor, published):
    settings.CATALOG_CACHE_SECONDS = 300
    settings.ALLOWED_HOSTS = ["testserver", "lms.example.com"]
    services.course_update(actor=instructor, course=published, data={"cover": upload_ready(instructor, "course_cover")})
    url = course_url(published.pk)

    first = clients["anonymous"].get(url, HTTP_HOST="testserver")
    other = clients["anonymous"].get(url, HTTP_HOST="lms.example.com")

    assert first.data["cover"]["url"].startswith("http://testserver/")
    assert other.data["cover"]["url"].startswith("http://lms.example.com/")


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(ctx)


@pytest.mark.parametrize("who", ["anonymous", "owner"])
def test_a_cover_adds_no_query_to_the_course_page(settings, instructor, who, django_capture_on_commit_callbacks):
    settings.CATALOG_CACHE_SECONDS = 0
    client = client_for(None if who == "anonymous" else instructor)
    plain = PublishedCourseFactory(instructor=instructor, lessons=2)
    covered = PublishedCourseFactory(instructor=instructor, lessons=2)
    services.course_update(
        actor=instructor, course=covered, data={"cover": cover_ready(instructor, django_capture_on_commit_callbacks)}
    )

    assert _count(client, course_url(covered.pk)) == _count(client, course_url(plain.pk))


@pytest.mark.parametrize("url", [COURSES, "/api/v1/instructor/courses/", "/api/v1/admin/courses/"])
def test_covers_add_no_query_to_course_lists(settings, instructor, admin_user, url, django_capture_on_commit_callbacks):
    settings.CATALOG_CACHE_SECONDS = 0
    client = client_for(admin_user if "admin" in url else instructor)
    PublishedCourseFactory(instructor=instructor, lessons=1)
    baseline = _count(client, url)
    for _ in range(3):
        course = PublishedCourseFactory(instructor=instructor, lessons=1)
        cover = cover_ready(instructor, django_capture_on_commit_callbacks)
        services.course_update(actor=instructor, course=course, data={"cover": cover})

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert len(ctx) == baseline
    assert sum(1 for row in response.data["results"] if row["cover"]) == 3


def test_covers_add_no_query_to_my_enrollments(settings, instructor, student, django_capture_on_commit_callbacks):
    from courses.tests.factories import EnrollmentFactory

    client = client_for(student)
    EnrollmentFactory(student=student, course=PublishedCourseFactory(instructor=instructor, lessons=1))
    baseline = _count(client, "/api/v1/me/enrollments/")
    for _ in range(3):
        course = PublishedCourseFactory(instructor=instructor, lessons=1)
        services.course_update(
            actor=instructor, course=course, data={"cover": cover_ready(instructor, django_capture_on_commit_callbacks)}
        )
        EnrollmentFactory(student=student, course=course)

    assert _count(client, "/api/v1/me/enrollments/") == baseline


# --- the admin -----------------------------------------------------------------------------------
def test_the_admin_shows_the_cover(staff, instructor, published, django_capture_on_commit_callbacks):
    cover = cover_ready(instructor, django_capture_on_commit_callbacks)
    services.course_update(actor=instructor, course=published, data={"cover": cover})

    listing = staff.get("/admin/courses/course/")
    page = staff.get(f"/admin/courses/course/{published.pk}/change/")

    assert f"/files/public/{cover}/thumb.jpg".encode() in listing.content
    assert f"/files/public/{cover}/card.jpg".encode() in page.content


def test_the_admin_lesson_page_lists_its_files(staff, instructor, published):
    lesson = published.lessons.first()
    video, notes = upload_ready(instructor, "lesson_video"), upload_ready(instructor, "lesson_attachment")
    services.lesson_update(actor=instructor, lesson=lesson, data={"video": video, "attachments": [notes]})

    page = staff.get(f"/admin/courses/lesson/{lesson.pk}/change/")

    assert page.status_code == 200
    assert b"intro.mp4" in page.content and b"notes.txt" in page.content and b"/files/signed/" in page.content

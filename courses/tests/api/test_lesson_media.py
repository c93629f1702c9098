"""A lesson's uploaded video and attachments: POST/PATCH with `video` (an upload id, or null) and
`attachments` (the whole list of ids, in order), who gets their signed links, and the files deleted
when they are replaced or dropped, or their lesson, section or course deleted."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import ROLES, client_for
from courses import services
from courses.models import Lesson, LessonAttachment
from courses.tests.api.helpers import CONTENT_VISIBLE, LESSON_BODY, course_url, lesson_url, section_url
from courses.tests.factories import LessonFactory, PublishedCourseFactory, SectionFactory
from courses.tests.media_helpers import TEXT, files_of, mp4, refused_on, upload_ready
from media.models import Upload, UploadPurpose
from media.tests.factories import UploadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _uncached(media_root, settings):
    settings.CATALOG_CACHE_SECONDS = 0


@pytest.fixture
def locked(course):
    return course.lessons.get(title="Deep dive")


@pytest.fixture
def preview(course):
    return course.lessons.get(title="Welcome")


def attach(lesson, instructor, *, video=True, attachments=1) -> tuple[str | None, list[str]]:
    video_id = upload_ready(instructor, "lesson_video") if video else None
    ids = [upload_ready(instructor, "lesson_attachment") for _ in range(attachments)]
    data = {"attachments": ids} | ({"video": video_id} if video else {})
    services.lesson_update(actor=instructor, lesson=lesson, data=data)
    return video_id, ids


def fetch(url: str, client=None) -> bytes:
    response = (client or client_for(None)).get(url.removeprefix("http://testserver"))
    assert response.status_code == 200, getattr(response, "content", b"")
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- attaching -----------------------------------------------------------------------------------
def test_attaching_a_video_and_attachments(clients, instructor, locked, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the poster is made after commit
        video = upload_ready(instructor, "lesson_video")
    first, second = upload_ready(instructor, "lesson_attachment"), upload_ready(instructor, "lesson_attachment")

    response = clients["instructor"].patch(
        lesson_url(locked.pk), {"video": video, "attachments": [second, first]}, format="json"
    )

    assert response.status_code == 200, response.content
    shown = response.data["video"]
    assert shown["url"].startswith("http://testserver/files/signed/")
    assert shown["content_type"] == "video/mp4" and shown["duration_seconds"] == 2
    assert shown["poster_url"].startswith("http://testserver/files/signed/")
    assert fetch(shown["url"]) == mp4()
    assert fetch(shown["poster_url"])[:3] == b"\xff\xd8\xff"
    assert [a["id"] for a in response.data["attachments"]] == [second, first]
    row = response.data["attachments"][0]
    assert (row["filename"], row["content_type"], row["size"]) == ("notes.txt", "text/plain", len(TEXT))
    assert fetch(row["url"]) == TEXT
    assert response.data["video_url"] == "https://videos.example.com/secret.mp4"  # the external link stays


def test_the_poster_is_null_until_made(clients, instructor, locked):
    video = upload_ready(instructor, "lesson_video")  # no on_commit callbacks: not derived
    response = clients["instructor"].patch(lesson_url(locked.pk), {"video": video}, format="json")
    assert response.data["video"]["poster_url"] is None


def test_a_lesson_created_with_a_video_and_attachments(clients, instructor, course):
    section = course.sections.get()
    video, notes = upload_ready(instructor, "lesson_video"), upload_ready(instructor, "lesson_attachment")

    response = clients["instructor"].post(
        section_url(section.pk, "lessons"), {**LESSON_BODY, "video": video, "attachments": [notes]}, format="json"
    )

    assert response.status_code == 201, response.content
    lesson = Lesson.objects.get(pk=response.data["id"])
    assert str(lesson.video_id) == video
    assert [str(a.upload_id) for a in lesson.attachments.all()] == [notes]
    assert response.data["video"]["url"] and len(response.data["attachments"]) == 1


def test_a_lesson_created_with_a_bad_upload_is_not_created(clients, other_instructor, course):
    section = course.sections.get()
    theirs = upload_ready(other_instructor, "lesson_video")
    before = Lesson.objects.count()

    response = clients["instructor"].post(
        section_url(section.pk, "lessons"), {**LESSON_BODY, "video": theirs}, format="json"
    )

    refused_on(response, "video")
    assert Lesson.objects.count() == before


# --- replacing and removing ------------------------------------------------------------------------
def test_replacing_the_attachments_keeps_the_kept_and_deletes_the_dropped(
    clients, instructor, locked, django_capture_on_commit_callbacks
):
    _, (a, b, c) = attach(locked, instructor, video=False, attachments=3)
    d = upload_ready(instructor, "lesson_attachment")

    with django_capture_on_commit_callbacks(execute=True):
        response = clients["instructor"].patch(lesson_url(locked.pk), {"attachments": [c, d, a]}, format="json")

    assert response.status_code == 200, response.content
    assert [row["id"] for row in response.data["attachments"]] == [c, d, a]
    assert not Upload.objects.filter(pk=b).exists() and files_of(b) == set()
    for kept in (a, c, d):
        assert Upload.objects.get(pk=kept).attached_at is not None and files_of(kept)
    assert list(LessonAttachment.objects.filter(lesson=locked).values_list("order", flat=True)) == [1, 2, 3]


def test_an_empty_list_removes_every_attachment(clients, instructor, locked, django_capture_on_commit_callbacks):
    _, ids = attach(locked, instructor, video=False, attachments=2)

    with django_capture_on_commit_callbacks(execute=True):
        response = clients["instructor"].patch(lesson_url(locked.pk), {"attachments": []}, format="json")

    assert response.data["attachments"] == []
    assert not Upload.objects.filter(pk__in=ids).exists()
    assert all(files_of(i) == set() for i in ids)


def test_replacing_and_removing_the_video(clients, instructor, locked, django_capture_on_commit_callbacks):
    old, _ = attach(locked, instructor, attachments=0)
    new = upload_ready(instructor, "lesson_video")

    with django_capture_on_commit_callbacks(execute=True):
        response = clients["instructor"].patch(lesson_url(locked.pk), {"video": new}, format="json")
    assert str(Lesson.objects.get(pk=locked.pk).video_id) == new
    assert not Upload.objects.filter(pk=old).exists() and files_of(old) == set()
    assert response.data["video"] is not None

    with django_capture_on_commit_callbacks(execute=True):
        response = clients["instructor"].patch(lesson_url(locked.pk), {"video": None}, format="json")
    assert response.data["video"] is None
    assert not Upload.objects.filter(pk=new).exists() and files_of(new) == set()


def test_other_fields_leave_the_uploads_alone(clients, instructor, locked):
    video, ids = attach(locked, instructor)
    response = clients["instructor"].patch(lesson_url(locked.pk), {"title": "Renamed"}, format="json")
    assert response.status_code == 200
    assert str(Lesson.objects.get(pk=locked.pk).video_id) == video
    assert [a["id"] for a in response.data["attachments"]] == ids


@pytest.mark.parametrize("what", ["lesson", "section", "course"])
def test_deleting_the_lesson_section_or_course_deletes_the_files(
    clients, instructor, draft, what, django_capture_on_commit_callbacks
):
    lesson = draft.lessons.get()
    video, ids = attach(lesson, instructor, attachments=2)
    url = {
        "lesson": lesson_url(lesson.pk),
        "section": section_url(lesson.section_id),
        "course": course_url(draft.pk),
    }[what]

    with django_capture_on_commit_callbacks(execute=True):
        assert clients["instructor"].delete(url).status_code == 204

    assert not Upload.objects.filter(pk__in=[video, *ids]).exists()
    assert all(files_of(i) == set() for i in [video, *ids])


def test_the_admin_deleting_a_lesson_deletes_its_files(staff, instructor, draft, django_capture_on_commit_callbacks):
    lesson = draft.lessons.get()
    video, ids = attach(lesson, instructor)

    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(f"/admin/courses/lesson/{lesson.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Upload.objects.filter(pk__in=[video, *ids]).exists()


# --- refusals ------------------------------------------------------------------------------------
def _refused(client, lesson, body: dict, field: str) -> str:
    before = (Lesson.objects.get(pk=lesson.pk).video_id, list(lesson.attachments.values_list("upload", flat=True)))
    code = refused_on(client.patch(lesson_url(lesson.pk), body, format="json"), field)
    after = (Lesson.objects.get(pk=lesson.pk).video_id, list(lesson.attachments.values_list("upload", flat=True)))
    assert after == before
    return code


def test_someone_elses_uploads_are_refused(clients, other_instructor, locked):
    video, notes = upload_ready(other_instructor, "lesson_video"), upload_ready(other_instructor, "lesson_attachment")
    assert _refused(clients["instructor"], locked, {"video": video}, "video") == "invalid_upload"
    assert _refused(clients["instructor"], locked, {"attachments": [notes]}, "attachments") == "invalid_upload"


def test_uploads_of_another_purpose_are_refused(clients, instructor, locked):
    notes, video = upload_ready(instructor, "lesson_attachment"), upload_ready(instructor, "lesson_video")
    assert _refused(clients["instructor"], locked, {"video": notes}, "video") == "invalid_upload"
    assert _refused(clients["instructor"], locked, {"attachments": [video]}, "attachments") == "invalid_upload"


def test_uploads_not_completed_are_refused(clients, instructor, locked):
    video = upload_ready(instructor, "lesson_video", complete=False)
    notes = upload_ready(instructor, "lesson_attachment", complete=False)
    assert _refused(clients["instructor"], locked, {"video": video}, "video") == "upload_not_ready"
    assert _refused(clients["instructor"], locked, {"attachments": [notes]}, "attachments") == "upload_not_ready"


def test_uploads_in_use_elsewhere_are_refused(clients, instructor, course, locked, preview):
    video, (notes,) = attach(preview, instructor)
    assert _refused(clients["instructor"], locked, {"video": video}, "video") == "upload_in_use"
    assert _refused(clients["instructor"], locked, {"attachments": [notes]}, "attachments") == "upload_in_use"


def test_a_refused_attachment_changes_nothing_of_the_list(clients, instructor, other_instructor, locked):
    _, ids = attach(locked, instructor, video=False, attachments=2)
    theirs = upload_ready(other_instructor, "lesson_attachment")
    _refused(clients["instructor"], locked, {"attachments": [ids[0], theirs]}, "attachments")
    assert Upload.objects.filter(pk__in=ids).count() == 2


def test_the_same_attachment_twice_is_refused(clients, instructor, locked):
    notes = upload_ready(instructor, "lesson_attachment")
    _refused(clients["instructor"], locked, {"attachments": [notes, notes]}, "attachments")


def test_more_than_twenty_attachments_are_refused(clients, locked):
    _refused(clients["instructor"], locked, {"attachments": [str(uuid.uuid4()) for _ in range(21)]}, "attachments")


def test_the_service_refuses_more_than_twenty_too(instructor, locked):
    from lms.errors import InvalidInput

    ids = [UploadFactory(owner=instructor, purpose=UploadPurpose.LESSON_ATTACHMENT).pk for _ in range(21)]
    with pytest.raises(InvalidInput) as caught:
        services.lesson_update(actor=instructor, lesson=locked, data={"attachments": ids})
    assert caught.value.extra["field"] == "attachments"


def test_an_admin_attaches_their_own_uploads_to_someones_lesson(clients, admin_user, locked):
    video = upload_ready(admin_user, "lesson_video")
    response = clients["admin"].patch(lesson_url(locked.pk), {"video": video}, format="json")
    assert response.status_code == 200, response.content
    assert str(Lesson.objects.get(pk=locked.pk).video_id) == video


@pytest.mark.parametrize("role", ROLES)
def test_lesson_media_patch_for_every_role(clients, instructor, admin_user, locked, role):
    expected = {"anonymous": 401, "student": 403, "other_student": 403, "other_instructor": 403}.get(role, 200)
    notes = upload_ready(admin_user if role == "admin" else instructor, "lesson_attachment")

    response = clients[role].patch(lesson_url(locked.pk), {"attachments": [notes]}, format="json")

    assert response.status_code == expected
    assert LessonAttachment.objects.filter(lesson=locked).exists() == (expected == 200)


# --- who gets the signed links ---------------------------------------------------------------------
@pytest.mark.parametrize("role", ROLES)
def test_signed_links_only_for_those_who_may_read_the_lesson(clients, instructor, course, locked, preview, role):
    attach(locked, instructor)
    attach(preview, instructor)
    visible = CONTENT_VISIBLE[role]

    in_course = [
        lesson
        for section in clients[role].get(course_url(course.pk)).data["sections"]
        for lesson in section["lessons"]
        if lesson["id"] == locked.pk
    ]
    for data in (clients[role].get(lesson_url(locked.pk)).data, *in_course):
        assert (data["video"] is not None) == visible
        assert (len(data["attachments"]) == 1) == visible
        assert data["locked"] == (not visible)

    # A preview's files are for anyone who sees the course.
    shown = clients[role].get(lesson_url(preview.pk)).data
    assert shown["video"] is not None and len(shown["attachments"]) == 1


def test_the_section_lists_hide_locked_media(clients, instructor, course, locked):
    attach(locked, instructor)
    section = course.sections.get()
    for url in (section_url(section.pk), section_url(section.pk, "lessons")):
        data = clients["anonymous"].get(url).data
        lessons = data["lessons"] if isinstance(data, dict) else data
        row = next(lesson for lesson in lessons if lesson["id"] == locked.pk)
        assert row["video"] is None and row["attachments"] == []
        data = clients["student"].get(url).data
        lessons = data["lessons"] if isinstance(data, dict) else data
        row = next(lesson for lesson in lessons if lesson["id"] == locked.pk)
        assert row["video"] is not None and len(row["attachments"]) == 1


def test_a_course_page_with_signed_links_is_not_cached(
    settings, clients, instructor, course, preview, django_capture_on_commit_callbacks
):
    from courses import cache as course_cache

    settings.CATALOG_CACHE_SECONDS = 300
    url = course_url(course.pk)
    clients["anonymous"].get(url)
    assert course_cache.cached_course_page(course.pk) is not None  # no files yet: cached

    with django_capture_on_commit_callbacks(execute=True):  # the course changed: its page is dropped
        attach(preview, instructor)
    response = clients["anonymous"].get(url)

    assert response.data["sections"][0]["lessons"][0]["video"] is not None
    assert course_cache.cached_course_page(course.pk) is None  # expiring links: not cached


# --- query counts --------------------------------------------------------------------------------
def _with_media(lesson, owner) -> None:
    video = UploadFactory(
        owner=owner, purpose=UploadPurpose.LESSON_VIDEO, key=f"private/{uuid.uuid4()}/v.mp4", content_type="video/mp4"
    )
    Lesson.objects.filter(pk=lesson.pk).update(video=video)
    for n in (1, 2):
        upload = UploadFactory(owner=owner, key=f"private/{uuid.uuid4()}/a.pdf")
        LessonAttachment.objects.create(lesson=lesson, upload=upload, order=n)


def _count(client, url) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(ctx), response.data


@pytest.mark.parametrize("who", ["anonymous", "owner"])
def test_lesson_lists_with_videos_do_not_grow(instructor, who):
    client = client_for(None if who == "anonymous" else instructor)
    small = PublishedCourseFactory(instructor=instructor, lessons=0)
    big = PublishedCourseFactory(instructor=instructor, lessons=0)
    small_section, big_section = SectionFactory(course=small), SectionFactory(course=big)
    _with_media(LessonFactory(section=small_section, is_preview=True), instructor)
    for n in range(8):
        _with_media(LessonFactory(section=big_section, order=n + 1, is_preview=n % 2 == 0), instructor)

    for url in (section_url, lambda pk: section_url(pk, "lessons")):
        baseline, _ = _count(client, url(small_section.pk))
        queries, data = _count(client, url(big_section.pk))
        lessons = data["lessons"] if isinstance(data, dict) else data
        assert queries == baseline
        assert sum(1 for lesson in lessons if lesson["video"]) == (8 if who == "owner" else 4)

    baseline, _ = _count(client, course_url(small.pk))
    queries, data = _count(client, course_url(big.pk))
    assert queries == baseline
    assert sum(len(lesson["attachments"]) for s in data["sections"] for lesson in s["lessons"]) == (
        16 if who == "owner" else 8
    )

"""Redis dies under a running API (cache, throttles and broker all on it).

Reads and the writes that do not need Redis keep working: the cache fails open and jobs that cannot
be queued are logged instead of failing a request that has committed. /ready/ says Redis is down.
When Redis is back, the periodic sweep issues the certificate whose job was never queued, exactly
once, and jobs are queued again without restarting anything."""

import hashlib
import logging

import pytest
import redis

from certificates.models import Certificate
from certificates.tasks import certificate_issue_task, certificates_issue_missing_task
from conftest import client_for
from courses.models import Enrollment, Lesson
from courses.tests.factories import EnrollmentFactory, PublishedCourseFactory
from forum.models import Post
from lms.jobs import enqueue

pytestmark = [pytest.mark.fault, pytest.mark.django_db(transaction=True)]


def test_api_survives_redis_down_and_the_sweep_issues_the_certificate_once(
    own_redis, cache_to, jobs_to, settings, tmp_path, caplog, student, instructor
):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.CATALOG_CACHE_SECONDS = 300  # the catalog cache on, as in production
    cache_to(own_redis.url)
    jobs_to(own_redis.url)
    course = PublishedCourseFactory(instructor=instructor, lessons=2, title="Resilient Systems")
    other = PublishedCourseFactory(instructor=instructor, lessons=1, title="Free Extras")
    enrollment = EnrollmentFactory(student=student, course=course)
    anon, api = client_for(None), client_for(student)

    assert anon.get("/api/v1/courses/").status_code == 200  # warms the cache
    assert anon.get(f"/api/v1/courses/{course.pk}/").status_code == 200
    assert anon.get("/ready/").status_code == 200

    own_redis.kill()
    caplog.set_level(logging.WARNING)

    # Reads: the catalog and course detail, anonymous and signed in (throttles count in Redis too).
    for client in (anon, api):
        catalog = client.get("/api/v1/courses/")
        assert catalog.status_code == 200
        assert {c["id"] for c in catalog.json()["results"]} == {course.pk, other.pk}
        detail = client.get(f"/api/v1/courses/{course.pk}/")
        assert detail.status_code == 200
        assert detail.json()["title"] == "Resilient Systems"

    ready = anon.get("/ready/")
    assert ready.status_code == 503
    checks = ready.json()["checks"]
    assert checks["database"] == "ok"
    assert checks["cache"].startswith("down: ConnectionError") and checks["cache"].endswith("(redis)")
    assert checks["broker"].startswith("down:") and checks["broker"].endswith("(redis)")

    # Writes that do not need Redis: enrolling in a free course, posting to the forum.
    enrolled = api.post(f"/api/v1/courses/{other.pk}/enroll/")
    assert enrolled.status_code == 201, enrolled.content
    posted = api.post(f"/api/v1/courses/{course.pk}/forum/posts/", {"title": "Is it down?", "body": "Redis is."})
    assert posted.status_code == 201, posted.content
    assert Post.objects.filter(pk=posted.json()["id"]).exists()

    # Completing the course: committed, no 500; the certificate job could not be queued (logged).
    for lesson in Lesson.objects.filter(course=course).order_by("pk"):
        assert api.post(f"/api/v1/lessons/{lesson.pk}/complete/").status_code == 200
    enrollment.refresh_from_db()
    assert enrollment.completed_at is not None
    assert not Certificate.objects.filter(enrollment=enrollment).exists()
    assert f"Could not queue {certificate_issue_task.name}" in caplog.text
    assert "Cache unavailable" in caplog.text

    # Redis comes back empty (whatever it held is lost) and nothing is restarted.
    own_redis.start()
    assert anon.get("/ready/").status_code == 200

    # Beat's sweep issues the missing certificate; running it again (or concurrently with a late
    # job) issues nothing more.
    assert certificates_issue_missing_task.apply(kwargs={"older_than_minutes": 0}).get() == 1
    assert certificates_issue_missing_task.apply(kwargs={"older_than_minutes": 0}).get() == 0
    assert certificate_issue_task.apply(args=[enrollment.pk]).get() == Certificate.objects.get().pk
    certificate = Certificate.objects.get()
    assert certificate.enrollment_id == enrollment.pk
    pdf = certificate.pdf.read()
    assert pdf.startswith(b"%PDF") and hashlib.sha256(pdf).hexdigest() == certificate.pdf_sha256
    assert len(list((tmp_path / "certificates").iterdir())) == 1
    assert Enrollment.objects.filter(student=student, course=other).exists()

    # The same process queues jobs again: the job reaches the broker's certificates queue.
    assert enqueue(certificate_issue_task, enrollment.pk) is True
    assert redis.Redis.from_url(own_redis.url).llen("certificates") == 1

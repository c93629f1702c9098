"""A Celery worker killed in the middle of an erasure (privacy; README "Privacy"), then the job rerun.

Real `celery -A lms worker` processes consume from a Redis of the test's own and share its
PostgreSQL database; the forum's eraser (a middle step: payments, reviews, courses, certificates,
schedules and assignments come before it, accounts last) sleeps on its first call (slow_worker.py,
`LMS_FAULT_SLOWED=eraser:forum`) so the test can SIGKILL the worker there. The steps that committed
are not run again, the one that was running is (erasers are idempotent), and the erasure ends done
exactly as an uninterrupted one: the person pseudonymised, their writing kept under "Deleted user"."""

import os
import signal

import pytest

from accounts.tests.factories import PASSWORD, AdminFactory
from conftest import client_for
from courses.tests.factories import EnrollmentFactory, PublishedCourseFactory
from forum.models import Post
from forum.tests.factories import PostFactory
from privacy import registry
from privacy.models import ErasureRequest, ErasureStatus
from privacy.tasks import privacy_sweep_task
from reviews.models import Review
from reviews.tests.factories import ReviewFactory

from .services import slow_workers, wait_for

pytestmark = [pytest.mark.fault, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def workers(worker_setup, tmp_path):
    with slow_workers(
        worker_setup,
        tmp_path,
        LMS_FAULT_SLOWED="eraser:forum",
        LMS_FAULT_RENDER_DELAY="60",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    ) as start:
        yield start


@pytest.fixture
def admin():
    return AdminFactory()


@pytest.fixture
def person(student, instructor):
    """A student with a little everywhere the erasure goes before and after the slowed step."""
    course = PublishedCourseFactory(instructor=instructor, lessons=1, title="Crash-Only Software")
    EnrollmentFactory(student=student, course=course)
    PostFactory(course=course, author=student, title="On restarts", body=f"Write to me at {student.email}")
    ReviewFactory(course=course, student=student, rating=5, comment="Kill it and it comes back.")
    return student


def erase_at_once(admin, person) -> ErasureRequest:
    """An administrator erases the person through the API: the job goes to the broker on commit."""
    response = client_for(admin).post(f"/api/v1/admin/users/{person.pk}/erase/")
    assert response.status_code == 202, response.content
    return ErasureRequest.objects.get(user=person)


def slowed_pid(workers) -> int:
    slowed = workers.markers / "slowed"
    assert wait_for(slowed.exists, timeout=60), "no worker reached the forum's eraser"
    return int(slowed.read_text())


def forum_runs(workers) -> int:
    return len(list(workers.markers.glob("render-*")))


def steps_before(name: str) -> list[str]:
    names = [eraser.name for eraser in registry.erasers()]
    return names[: names.index(name)]


def assert_erased_once(erasure: ErasureRequest, person, email: str) -> None:
    done = wait_for(lambda: ErasureRequest.objects.filter(pk=erasure.pk, status=ErasureStatus.DONE).first(), timeout=60)
    assert done is not None, f"the erasure never finished: {ErasureRequest.objects.get(pk=erasure.pk).steps_done}"
    # Every step, in order, once: the ones that had committed were not run again.
    assert done.steps_done == [eraser.name for eraser in registry.erasers()]
    person.refresh_from_db()
    assert person.erased_at is not None and not person.is_active
    assert person.email.endswith("@erased.invalid") and person.first_name == ""
    post = Post.objects.get(author=person)
    assert email not in post.body and post.title == "On restarts"
    assert Review.objects.filter(student=person).count() == 1
    # Nobody signs in as them again, and the address may register as someone new.
    login = client_for(None).post("/api/v1/auth/login/", {"email": email, "password": PASSWORD}, format="json")
    assert login.status_code == 401


def test_pool_process_killed_mid_erasure_the_job_is_redelivered_and_resumes(workers, admin, person):
    email = person.email
    worker = workers("w1")
    erasure = erase_at_once(admin, person)

    os.kill(slowed_pid(workers), signal.SIGKILL)  # the process running the job dies, not the worker

    # acks_late + reject_on_worker_lost: the job goes back to the queue and resumes at the forum step.
    assert_erased_once(erasure, person, email)
    assert forum_runs(workers) == 2
    assert worker.poll() is None


def test_worker_killed_mid_erasure_the_sweep_resumes_it_on_a_new_worker(workers, admin, person):
    email = person.email
    first = workers("w1")
    erasure = erase_at_once(admin, person)
    slowed_pid(workers)

    os.killpg(first.pid, signal.SIGKILL)  # the whole worker (a node lost): nobody redelivers at once
    first.wait(timeout=10)

    # Half way: the steps before the forum's committed, the forum's rolled back, the person still whole.
    erasure.refresh_from_db()
    assert erasure.status == ErasureStatus.RUNNING
    assert erasure.steps_done == steps_before("forum")
    person.refresh_from_db()
    assert person.email == email and person.erased_at is None
    assert email in Post.objects.get(author=person).body

    workers("w2")
    privacy_sweep_task.apply_async()  # beat's sweep finds the running erasure and queues it again
    assert_erased_once(erasure, person, email)
    assert forum_runs(workers) == 2

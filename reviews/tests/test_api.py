"""Every endpoint of the reviews API for every role, bad input, filters and the side effects
(notifications, activity)."""

import pytest

from accounts.tests.factories import StudentFactory
from activity.models import ActivityEvent
from conftest import ROLES, client_for
from courses import services as course_services
from courses.tests.factories import CourseFactory, EnrollmentFactory, PublishedCourseFactory
from notifications.models import Notification
from reviews.models import InstructorReply, Review

from .factories import InstructorReplyFactory, ReviewFactory, assert_figures_exact, stored_figures

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(instructor):
    return PublishedCourseFactory(instructor=instructor)


@pytest.fixture
def review(course, student):
    """The student's review of the instructor's published course; other_student is not enrolled."""
    return ReviewFactory(course=course, student=student, rating=4, comment="Solid")


def reviews_url(course):
    return f"/api/v1/courses/{course.pk}/reviews/"


# ---- GET /courses/{id}/reviews/ -------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_everyone_reads_reviews_of_a_published_course(clients, role, review, course):
    response = clients[role].get(reviews_url(course))
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) >= {"count", "next", "previous", "results"}
    assert body["count"] == 1
    item = body["results"][0]
    assert set(item) >= {"id", "course", "student", "rating", "comment", "reply", "created_at"}
    assert (item["id"], item["course"], item["rating"], item["comment"], item["reply"]) == (
        review.pk,
        course.pk,
        4,
        "Solid",
        None,
    )
    assert item["student"]["id"] == review.student_id
    assert "email" not in item["student"]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 404),
        ("student", 200),  # holds an active enrollment, so the course stays open to them
        ("other_student", 404),
        ("instructor", 200),
        ("other_instructor", 404),
        ("admin", 200),
    ],
)
def test_reviews_of_a_draft_course_only_to_those_who_may_open_it(clients, role, expected, instructor, student):
    draft = CourseFactory(instructor=instructor)
    ReviewFactory(course=draft, student=student)
    assert clients[role].get(reviews_url(draft)).status_code == expected
    # The same rule as the course page itself.
    assert clients[role].get(f"/api/v1/courses/{draft.pk}/").status_code == expected


def test_unknown_course_is_404(clients):
    assert clients["anonymous"].get("/api/v1/courses/999999/reviews/").status_code == 404
    assert clients["anonymous"].get("/api/v1/courses/99999999999999999999/reviews/").status_code == 404
    assert clients["student"].post("/api/v1/courses/999999/reviews/", {"rating": 5}).status_code == 404


def test_filter_by_rating_and_every_ordering(clients, course):
    for rating in (3, 5, 1, 5, 2):
        ReviewFactory(course=course, rating=rating)
    url = reviews_url(course)
    anon = clients["anonymous"]

    fives = anon.get(url + "?rating=5").json()
    assert fives["count"] == 2 and {r["rating"] for r in fives["results"]} == {5}
    assert anon.get(url + "?rating=4").json()["count"] == 0

    newest_first = [r["id"] for r in anon.get(url).json()["results"]]
    created = list(Review.objects.filter(course=course).order_by("created_at", "id").values_list("id", flat=True))
    assert newest_first == created[::-1]
    assert [r["id"] for r in anon.get(url + "?ordering=-created_at").json()["results"]] == created[::-1]
    assert [r["id"] for r in anon.get(url + "?ordering=created_at").json()["results"]] == created
    assert [r["rating"] for r in anon.get(url + "?ordering=rating").json()["results"]] == [1, 2, 3, 5, 5]
    assert [r["rating"] for r in anon.get(url + "?ordering=-rating").json()["results"]] == [5, 5, 3, 2, 1]
    assert [r["rating"] for r in anon.get(url + "?rating=5&ordering=rating").json()["results"]] == [5, 5]


def test_pagination(clients, course):
    for rating in (1, 2, 3, 4, 5):
        ReviewFactory(course=course, rating=rating)
    first = clients["anonymous"].get(reviews_url(course) + "?page_size=2").json()
    assert first["count"] == 5 and len(first["results"]) == 2 and first["next"] and first["previous"] is None
    last = clients["anonymous"].get(reviews_url(course) + "?page_size=2&page=3").json()
    assert len(last["results"]) == 1 and last["next"] is None
    seen = set()
    for page in (1, 2, 3):
        seen |= {
            r["id"]
            for r in clients["anonymous"].get(reviews_url(course) + f"?page_size=2&page={page}").json()["results"]
        }
    assert seen == set(Review.objects.filter(course=course).values_list("id", flat=True))


@pytest.mark.parametrize("ordering", ["rating", "-rating"])
def test_pages_ordered_by_rating_never_repeat_or_skip_a_review(postgres, clients, course, ordering):
    for i in range(40):
        ReviewFactory(course=course, rating=5 if i % 3 else 4)
    seen = []
    for page in range(1, 7):
        response = clients["anonymous"].get(reviews_url(course) + f"?ordering={ordering}&page_size=7&page={page}")
        seen += [r["id"] for r in response.json()["results"]]
    assert sorted(seen) == sorted(Review.objects.filter(course=course).values_list("id", flat=True))


@pytest.mark.parametrize(
    "query",
    ["?rating=abc", "?rating=", "?ordering=stars", "?ordering=-comment", "?ordering=id;drop", "?ordering=student"],
)
def test_bad_list_query_parameters_are_400_not_500(clients, review, course, query):
    response = clients["anonymous"].get(reviews_url(course) + query)
    if query == "?rating=":  # an empty filter is no filter
        assert response.status_code == 200
        return
    assert response.status_code == 400, (query, response.status_code, response.content)
    assert response["Content-Type"].startswith("application/json")


def test_an_out_of_range_rating_filter_is_an_empty_page_not_500(clients, review, course):
    for query in ("?rating=7", "?rating=-1", "?rating=99999999999999999999999"):
        response = clients["anonymous"].get(reviews_url(course) + query)
        assert response.status_code in (200, 400), (query, response.status_code)
        if response.status_code == 200:
            assert response.json()["count"] == 0


# ---- POST /courses/{id}/reviews/ ------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 401),
        ("student", 201),
        ("other_student", 403),  # not enrolled
        ("instructor", 403),
        ("other_instructor", 403),
        ("admin", 403),
    ],
)
def test_only_enrolled_students_write_a_review(clients, role, expected, course, student):
    EnrollmentFactory(student=student, course=course)
    response = clients[role].post(reviews_url(course), {"rating": 5, "comment": "Great"})
    assert response.status_code == expected, response.content
    if expected == 201:
        body = response.json()
        assert (body["rating"], body["comment"], body["reply"], body["course"]) == (5, "Great", None, course.pk)
        assert body["student"]["id"] == student.pk
        assert Review.objects.get(pk=body["id"]).student == student
    else:
        assert not Review.objects.exists()
    assert_figures_exact(course.pk)


def test_a_revoked_enrollment_cannot_review(clients, course, student):
    enrollment = EnrollmentFactory(student=student, course=course)
    course_services.enrollment_revoke(enrollment=enrollment)
    assert clients["student"].post(reviews_url(course), {"rating": 5}).status_code == 403
    assert not Review.objects.exists()


def test_a_student_who_completed_the_course_can_review(clients, course, student):
    from django.utils import timezone

    enrollment = EnrollmentFactory(student=student, course=course)
    type(enrollment).objects.filter(pk=enrollment.pk).update(completed_at=timezone.now())
    assert clients["student"].post(reviews_url(course), {"rating": 5}).status_code == 201


def test_a_non_enrolled_student_gets_404_on_a_draft_course(clients, instructor):
    draft = CourseFactory(instructor=instructor)
    assert clients["other_student"].post(reviews_url(draft), {"rating": 5}).status_code == 404


def test_second_review_by_the_same_student_is_409(clients, course, student):
    EnrollmentFactory(student=student, course=course)
    assert clients["student"].post(reviews_url(course), {"rating": 5}).status_code == 201
    response = clients["student"].post(reviews_url(course), {"rating": 1, "comment": "again"})
    assert response.status_code == 409
    assert "detail" in response.json()
    assert Review.objects.filter(course=course, student=student).get().rating == 5
    assert stored_figures(course.pk)[0] == 1


@pytest.mark.parametrize(
    "payload",
    [
        {"rating": 0},
        {"rating": 6},
        {"rating": -1},
        {"rating": 4.5},
        {"rating": "4.5"},
        {"rating": "five"},
        {"rating": None},
        {"rating": ""},
        {"rating": True},
        {"rating": [5]},
        {"rating": {"value": 5}},
        {"rating": 10**30},
        {"comment": "no rating at all"},
        {},
        {"rating": 5, "comment": "x" * 50_000},
        {"rating": 5, "comment": None},
        {"rating": 5, "comment": {"text": "nested"}},
    ],
)
def test_bad_review_input_is_400(clients, course, student, payload):
    EnrollmentFactory(student=student, course=course)
    response = clients["student"].post(reviews_url(course), payload, format="json")
    assert response.status_code == 400, (payload, response.status_code, response.content[:300])
    assert isinstance(response.json(), dict)
    assert not Review.objects.exists()
    assert_figures_exact(course.pk)


@pytest.mark.parametrize(
    "raw",
    [b'{"rating": 5,', b"not json", b"[5]", b'"rating"', b"null", b"\xff\xfe"],
)
def test_malformed_or_non_object_json_is_400(clients, course, student, raw):
    EnrollmentFactory(student=student, course=course)
    response = clients["student"].generic("POST", reviews_url(course), raw, content_type="application/json")
    assert response.status_code == 400, (raw, response.status_code, response.content[:300])
    assert not Review.objects.exists()


def test_unsupported_media_type_is_415_not_500(clients, course, student):
    EnrollmentFactory(student=student, course=course)
    response = clients["student"].post(
        reviews_url(course), "rating=5", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415


def test_string_digits_and_a_max_length_comment_are_accepted(clients, course, student):
    EnrollmentFactory(student=student, course=course)
    response = clients["student"].post(reviews_url(course), {"rating": "3", "comment": "é" * 5000})
    assert response.status_code == 201, response.content
    assert response.json()["rating"] == 3


def test_unknown_fields_are_ignored(clients, course, student, other_student):
    EnrollmentFactory(student=student, course=course)
    other = PublishedCourseFactory()
    response = clients["student"].post(
        reviews_url(course), {"rating": 4, "student": other_student.pk, "course": other.pk, "id": 999}
    )
    assert response.status_code == 201
    review = Review.objects.get()
    assert (review.student_id, review.course_id) == (student.pk, course.pk)


# ---- PATCH / DELETE /reviews/{id}/ ----------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 401),
        ("student", 200),
        ("other_student", 403),
        ("instructor", 403),
        ("other_instructor", 403),
        ("admin", 403),
    ],
)
def test_only_the_author_edits(clients, role, expected, review, course):
    response = clients[role].patch(f"/api/v1/reviews/{review.pk}/", {"rating": 2, "comment": "Meh"})
    assert response.status_code == expected, response.content
    review.refresh_from_db()
    assert (review.rating, review.comment) == ((2, "Meh") if expected == 200 else (4, "Solid"))
    if expected == 200:
        assert response.json()["rating"] == 2
    assert_figures_exact(course.pk)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 401),
        ("student", 204),
        ("other_student", 403),
        ("instructor", 403),
        ("other_instructor", 403),
        ("admin", 204),
    ],
)
def test_the_author_or_an_admin_deletes(clients, role, expected, review, course):
    response = clients[role].delete(f"/api/v1/reviews/{review.pk}/")
    assert response.status_code == expected, response.content
    assert Review.objects.filter(pk=review.pk).exists() == (expected != 204)
    assert_figures_exact(course.pk)
    if expected == 204:
        assert clients[role].delete(f"/api/v1/reviews/{review.pk}/").status_code == 404


def test_get_put_on_a_single_review_are_not_offered(clients, review):
    assert clients["student"].put(f"/api/v1/reviews/{review.pk}/", {"rating": 1}).status_code == 405


def test_review_of_a_draft_course_is_404_to_those_who_cannot_open_it(clients, instructor, student):
    draft = CourseFactory(instructor=instructor)
    review = ReviewFactory(course=draft, student=student)
    assert clients["other_student"].patch(f"/api/v1/reviews/{review.pk}/", {"rating": 1}).status_code == 404
    assert clients["other_instructor"].delete(f"/api/v1/reviews/{review.pk}/").status_code == 404
    assert clients["other_instructor"].post(f"/api/v1/reviews/{review.pk}/reply/", {"body": "x"}).status_code == 404
    assert clients["admin"].delete(f"/api/v1/reviews/{review.pk}/").status_code == 204


@pytest.mark.parametrize(
    "payload",
    [{"rating": 0}, {"rating": 6}, {"rating": 4.5}, {"rating": "five"}, {"rating": None}, {"comment": "x" * 50_000}],
)
def test_bad_edit_is_400_and_changes_nothing(clients, review, course, payload):
    response = clients["student"].patch(f"/api/v1/reviews/{review.pk}/", payload)
    assert response.status_code == 400, response.content
    review.refresh_from_db()
    assert (review.rating, review.comment) == (4, "Solid")
    assert_figures_exact(course.pk)


def test_malformed_json_edit_is_400(clients, review):
    response = clients["student"].generic(
        "PATCH", f"/api/v1/reviews/{review.pk}/", b'{"rating":', content_type="application/json"
    )
    assert response.status_code == 400


def test_unknown_review_is_404(clients):
    assert clients["student"].patch("/api/v1/reviews/999999/", {"rating": 3}).status_code == 404
    assert clients["admin"].delete("/api/v1/reviews/999999/").status_code == 404
    assert clients["instructor"].post("/api/v1/reviews/999999/reply/", {"body": "x"}).status_code == 404


# ---- POST / PATCH / DELETE /reviews/{id}/reply/ ---------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 401),
        ("student", 403),
        ("other_student", 403),
        ("instructor", 201),
        ("other_instructor", 403),
        ("admin", 403),
    ],
)
def test_only_the_course_instructor_replies(clients, role, expected, review):
    response = clients[role].post(f"/api/v1/reviews/{review.pk}/reply/", {"body": "Thanks for the feedback"})
    assert response.status_code == expected, response.content
    assert InstructorReply.objects.filter(review=review).exists() == (expected == 201)
    if expected == 201:
        body = response.json()
        assert body["body"] == "Thanks for the feedback" and body["created_at"]


def test_the_instructor_replies_once_then_edits_and_deletes(clients, review, course):
    url = f"/api/v1/reviews/{review.pk}/reply/"
    instructor = clients["instructor"]
    assert instructor.patch(url, {"body": "nothing to edit"}).status_code == 404
    assert instructor.delete(url).status_code == 404
    assert instructor.post(url, {"body": "Thanks"}).status_code == 201
    assert instructor.post(url, {"body": "Thanks again"}).status_code == 409
    assert InstructorReply.objects.get(review=review).body == "Thanks"

    edited = instructor.patch(url, {"body": "Thanks, fixed in v2"})
    assert edited.status_code == 200 and edited.json()["body"] == "Thanks, fixed in v2"
    shown = clients["anonymous"].get(reviews_url(course)).json()["results"][0]["reply"]
    assert shown["body"] == "Thanks, fixed in v2" and shown["created_at"]

    assert instructor.delete(url).status_code == 204
    assert not InstructorReply.objects.filter(review=review).exists()
    assert clients["anonymous"].get(reviews_url(course)).json()["results"][0]["reply"] is None
    assert instructor.post(url, {"body": "A new answer"}).status_code == 201
    assert_figures_exact(course.pk)  # replies never touch the figures


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 401),
        ("student", 403),
        ("other_student", 403),
        ("instructor", 200),
        ("other_instructor", 403),
        ("admin", 403),
    ],
)
def test_only_the_course_instructor_edits_the_reply(clients, role, expected, review):
    InstructorReplyFactory(review=review, body="Original")
    response = clients[role].patch(f"/api/v1/reviews/{review.pk}/reply/", {"body": "Edited"})
    assert response.status_code == expected, response.content
    assert InstructorReply.objects.get(review=review).body == ("Edited" if expected == 200 else "Original")


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 401),
        ("student", 403),
        ("other_student", 403),
        ("instructor", 204),
        ("other_instructor", 403),
        ("admin", 403),
    ],
)
def test_only_the_course_instructor_deletes_the_reply(clients, role, expected, review):
    InstructorReplyFactory(review=review)
    assert clients[role].delete(f"/api/v1/reviews/{review.pk}/reply/").status_code == expected
    assert InstructorReply.objects.filter(review=review).exists() == (expected != 204)


@pytest.mark.parametrize("payload", [{}, {"body": ""}, {"body": None}, {"body": "x" * 50_000}, {"body": ["a"]}])
def test_bad_reply_input_is_400(clients, review, payload):
    url = f"/api/v1/reviews/{review.pk}/reply/"
    assert clients["instructor"].post(url, payload, format="json").status_code == 400
    assert not InstructorReply.objects.exists()
    InstructorReplyFactory(review=review, body="Kept")
    assert clients["instructor"].patch(url, payload, format="json").status_code == 400
    assert InstructorReply.objects.get().body == "Kept"
    response = clients["instructor"].generic("POST", url, b'{"body": ', content_type="application/json")
    assert response.status_code in (400, 409)


# ---- GET /instructor/reviews/ ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 401),
        ("student", 403),
        ("other_student", 403),
        ("instructor", 200),
        ("other_instructor", 200),
        ("admin", 403),
    ],
)
def test_instructor_reviews_roles(clients, role, expected, review):
    response = clients[role].get("/api/v1/instructor/reviews/")
    assert response.status_code == expected
    if expected == 200:
        ids = [r["id"] for r in response.json()["results"]]
        assert ids == ([review.pk] if role == "instructor" else [])


def test_instructor_reviews_lists_only_own_courses_with_filters(clients, instructor, other_instructor):
    mine_a = PublishedCourseFactory(instructor=instructor)
    mine_b = CourseFactory(instructor=instructor)  # a draft: still the instructor's own
    theirs = PublishedCourseFactory(instructor=other_instructor)
    answered = ReviewFactory(course=mine_a, rating=5)
    InstructorReplyFactory(review=answered)
    open_a = ReviewFactory(course=mine_a, rating=2)
    open_b = ReviewFactory(course=mine_b, rating=5)
    ReviewFactory(course=theirs, rating=1)

    def ids(query=""):
        response = clients["instructor"].get("/api/v1/instructor/reviews/" + query)
        assert response.status_code == 200, response.content
        return {r["id"] for r in response.json()["results"]}

    assert ids() == {answered.pk, open_a.pk, open_b.pk}
    assert ids("?unanswered=true") == {open_a.pk, open_b.pk}
    assert ids("?unanswered=false") == {answered.pk}
    assert ids(f"?course={mine_a.pk}") == {answered.pk, open_a.pk}
    assert ids(f"?course={theirs.pk}") == set()
    assert ids("?rating=5") == {answered.pk, open_b.pk}
    assert ids(f"?unanswered=true&course={mine_b.pk}&rating=5") == {open_b.pk}

    listed = clients["instructor"].get("/api/v1/instructor/reviews/").json()
    assert {"count", "next", "previous", "results"} <= set(listed)
    by_id = {r["id"]: r for r in listed["results"]}
    assert by_id[answered.pk]["reply"]["body"]
    assert by_id[open_a.pk]["reply"] is None
    assert by_id[open_a.pk]["course"] == mine_a.pk


@pytest.mark.parametrize("query", ["?rating=abc", "?course=abc", "?ordering=bogus"])
def test_instructor_reviews_bad_query_is_400(clients, review, query):
    assert clients["instructor"].get("/api/v1/instructor/reviews/" + query).status_code == 400


# ---- side effects ---------------------------------------------------------------------------


def test_a_new_review_notifies_the_instructor_only(clients, course, student, instructor):
    EnrollmentFactory(student=student, course=course)
    Notification.objects.all().delete()
    response = clients["student"].post(reviews_url(course), {"rating": 5, "comment": "Loved it"})
    assert response.status_code == 201
    notes = list(Notification.objects.filter(type="new_review"))
    assert [n.recipient_id for n in notes] == [instructor.pk]
    assert notes[0].payload == {"course_id": course.pk, "review_id": response.json()["id"]}
    assert not Notification.objects.filter(type="new_review").exclude(recipient=instructor).exists()
    shown = clients["instructor"].get("/api/v1/notifications/").json()["results"]
    assert any(n["type"] == "new_review" for n in shown)
    # Editing or deleting is not a new review.
    review_id = response.json()["id"]
    clients["student"].patch(f"/api/v1/reviews/{review_id}/", {"rating": 4})
    assert Notification.objects.filter(type="new_review").count() == 1


def test_a_reply_notifies_the_reviewer_only(clients, review, student):
    assert clients["instructor"].post(f"/api/v1/reviews/{review.pk}/reply/", {"body": "Thanks"}).status_code == 201
    notes = list(Notification.objects.filter(type="review_reply"))
    assert [n.recipient_id for n in notes] == [student.pk]
    assert notes[0].payload["review_id"] == review.pk
    shown = clients["student"].get("/api/v1/notifications/").json()["results"]
    assert any(n["type"] == "review_reply" for n in shown)
    # A refused second reply notifies nobody.
    clients["instructor"].post(f"/api/v1/reviews/{review.pk}/reply/", {"body": "Again"})
    assert Notification.objects.filter(type="review_reply").count() == 1


def test_refused_writes_notify_nobody_and_record_nothing(clients, course, other_student):
    Notification.objects.all().delete()
    ActivityEvent.objects.all().delete()
    assert clients["other_student"].post(reviews_url(course), {"rating": 5}).status_code == 403
    assert clients["instructor"].post(reviews_url(course), {"rating": 5}).status_code == 403
    assert not Notification.objects.exists()
    assert not ActivityEvent.objects.filter(verb="review_created").exists()


def test_a_new_review_records_activity(clients, course, student):
    EnrollmentFactory(student=student, course=course)
    response = clients["student"].post(reviews_url(course), {"rating": 3})
    assert response.status_code == 201
    event = ActivityEvent.objects.get(verb="review_created")
    assert (event.actor_id, event.course_id, event.target_type, event.target_id) == (
        student.pk,
        course.pk,
        "review",
        str(response.json()["id"]),
    )
    assert event.metadata.get("rating") == 3
    shown = clients["admin"].get(f"/api/v1/admin/activity/?verb=review_created&course={course.pk}")
    assert shown.status_code == 200
    assert len(shown.json()["results"]) == 1


def test_every_role_flow_keeps_other_courses_untouched(clients, course, student):
    other_course = PublishedCourseFactory()
    for rating in (1, 1):
        ReviewFactory(course=other_course, rating=rating, student=StudentFactory())
    before = stored_figures(other_course.pk)
    EnrollmentFactory(student=student, course=course)
    created = clients["student"].post(reviews_url(course), {"rating": 5}).json()
    clients["student"].patch(f"/api/v1/reviews/{created['id']}/", {"rating": 3})
    clients["admin"].delete(f"/api/v1/reviews/{created['id']}/")
    assert stored_figures(other_course.pk) == before
    assert_figures_exact(course.pk)
    assert client_for(student).get(reviews_url(course)).json()["count"] == 0

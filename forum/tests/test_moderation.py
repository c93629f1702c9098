"""Reports, auto-hide, what hidden content looks like to whom, resolving reports, and the
moderation log."""

import pytest

from accounts.tests.factories import StudentFactory
from conftest import client_for
from courses.tests.factories import EnrollmentFactory, PublishedCourseFactory
from forum import services
from forum.api.serializers import HIDDEN
from forum.models import ModerationLog, Post, Report
from forum.tests.factories import comment_url, post_url, posts_url

pytestmark = pytest.mark.django_db

SECRET = "Buy cheap watches"


def readers(course, n):
    """n more enrolled students of the course, with their clients."""
    users = [StudentFactory() for _ in range(n)]
    for user in users:
        EnrollmentFactory(student=user, course=course)
    return [client_for(user) for user in users]


@pytest.fixture
def spam(course, other_student):
    return services.post_create(course=course, author=other_student, title="Offer", body=SECRET)


@pytest.fixture
def spam_comment(post, other_student):
    return services.comment_create(post=post, author=other_student, body=SECRET)


# --- reporting ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("target", ["post", "comment"])
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 401),
        ("student", 201),
        ("other_student", 400),
        ("instructor", 201),
        ("other_instructor", 403),
        ("admin", 201),
    ],
)
def test_report_by_role(clients, spam, spam_comment, target, role, expected):
    item = spam if target == "post" else spam_comment
    url = post_url(item, "report") if target == "post" else comment_url(item, "report")
    r = clients[role].post(url, {"reason": "spam"}, format="json")
    assert r.status_code == expected, r.content  # other_student wrote it: no reporting one's own writing
    assert Report.objects.count() == (1 if expected == 201 else 0)
    if expected == 201:
        body = r.json()
        assert body["status"] == "open" and body["reason"] == "spam"
        assert body[target] == item.pk and body["course"] == spam.course_id
        # Once per reader and item.
        again = clients[role].post(url, {"reason": "really spam"}, format="json")
        assert again.status_code == 409, again.content
        assert Report.objects.count() == 1


def test_a_reader_reports_a_post_and_its_comment_separately(clients, spam, spam_comment):
    assert clients["student"].post(post_url(spam, "report"), {"reason": "x"}).status_code == 201
    assert clients["student"].post(comment_url(spam_comment, "report"), {"reason": "x"}).status_code == 201


@pytest.mark.parametrize("payload", [{}, {"reason": ""}, {"reason": "r" * 1001}, {"reason": "a\x00"}])
def test_bad_report_is_400(clients, spam, payload):
    r = clients["student"].post(post_url(spam, "report"), payload, format="json")
    assert r.status_code == 400, r.content
    assert "reason" in r.json()
    assert not Report.objects.exists()


def test_malformed_report_json_is_400(clients, spam):
    r = clients["student"].post(post_url(spam, "report"), '{"reason"', content_type="application/json")
    assert r.status_code == 400


# --- auto-hide -------------------------------------------------------------------------------------
def test_a_post_is_hidden_at_the_threshold(clients, settings, any_reporter_counts, spam, instructor, admin_user):
    settings.FORUM_AUTO_HIDE_REPORTS = 3
    first, second, third = [clients["student"], *readers(spam.course, 2)]
    for client in (first, second):
        assert client.post(post_url(spam, "report"), {"reason": "spam"}).status_code == 201
    assert first.post(post_url(spam, "report"), {"reason": "spam"}).status_code == 409  # not a second vote
    spam.refresh_from_db()
    assert spam.is_hidden is False
    assert not ModerationLog.objects.exists()

    assert third.post(post_url(spam, "report"), {"reason": "spam"}).status_code == 201
    spam.refresh_from_db()
    assert spam.is_hidden is True
    log = ModerationLog.objects.get()
    assert (log.action, log.actor, log.post, log.course_id) == ("auto_hide", None, spam, spam.course_id)

    # Gone for the other readers, everywhere they could look.
    for client in (first, second, third):
        assert spam.pk not in [p["id"] for p in client.get(posts_url(spam.course)).json()["results"]]
        assert SECRET not in client.get(posts_url(spam.course), {"search": "watches"}).content.decode()
        assert client.get(post_url(spam)).status_code == 404
        assert client.get(post_url(spam, "comments")).status_code == 404
        assert client.post(post_url(spam, "comments"), {"body": "x"}).status_code == 404
        assert client.post(post_url(spam, "upvote")).status_code == 404
    # Still there for its author and the moderators, marked hidden.
    for role in ("other_student", "instructor", "admin"):
        listed = {p["id"]: p for p in clients[role].get(posts_url(spam.course)).json()["results"]}
        assert listed[spam.pk]["is_hidden"] is True and listed[spam.pk]["body"] == SECRET
        assert clients[role].get(post_url(spam)).json()["is_hidden"] is True


def test_the_default_threshold_is_three(clients, any_reporter_counts, spam):
    reporters = [clients["student"], clients["instructor"], *readers(spam.course, 1)]
    for n, client in enumerate(reporters, start=1):
        client.post(post_url(spam, "report"), {"reason": "spam"})
        spam.refresh_from_db()
        assert spam.is_hidden is (n >= 3)


def test_a_comment_is_hidden_at_the_threshold_and_masked(
    clients, settings, any_reporter_counts, post, spam_comment, instructor
):
    settings.FORUM_AUTO_HIDE_REPORTS = 2
    reply = services.comment_create(post=post, author=instructor, body="Please stop", parent=spam_comment)
    spam_reply = services.comment_create(post=post, author=spam_comment.author, body=SECRET + " 2", parent=None)
    extra = readers(post.course, 1)[0]
    for item in (spam_comment, spam_reply):
        clients["student"].post(comment_url(item, "report"), {"reason": "spam"})
        extra.post(comment_url(item, "report"), {"reason": "spam"})
        item.refresh_from_db()
        assert item.is_hidden is True
    assert ModerationLog.objects.filter(action="auto_hide", actor=None).count() == 2

    for client in (clients["student"], extra):
        r = client.get(post_url(post, "comments"))
        assert SECRET not in r.content.decode()
        tree = r.json()["results"]
        assert [(c["id"], c["body"], c["is_hidden"]) for c in tree] == [
            (spam_comment.pk, HIDDEN, True),
            (spam_reply.pk, HIDDEN, True),
        ]
        assert [c["body"] for c in tree[0]["replies"]] == ["Please stop"]  # the thread keeps its shape
    for role in ("other_student", "instructor", "admin"):
        tree = clients[role].get(post_url(post, "comments")).json()["results"]
        assert [c["body"] for c in tree] == [SECRET, SECRET + " 2"]
    assert reply.pk == tree[0]["replies"][0]["id"]


def test_a_hidden_reply_is_masked(clients, settings, any_reporter_counts, post, comment, student):
    settings.FORUM_AUTO_HIDE_REPORTS = 1
    reply = services.comment_create(post=post, author=student, body=SECRET, parent=comment)
    clients["other_student"].post(comment_url(reply, "report"), {"reason": "spam"})
    outsider_view = clients["other_student"].get(post_url(post, "comments"))
    assert SECRET not in outsider_view.content.decode()
    assert outsider_view.json()["results"][0]["replies"][0]["body"] == HIDDEN
    assert clients["student"].get(post_url(post, "comments")).json()["results"][0]["replies"][0]["body"] == SECRET


def test_dismissed_reports_do_not_count_towards_the_threshold(clients, settings, any_reporter_counts, spam):
    settings.FORUM_AUTO_HIDE_REPORTS = 2
    first, second = clients["student"], readers(spam.course, 1)[0]
    first.post(post_url(spam, "report"), {"reason": "spam"})
    report = Report.objects.get()
    services.report_resolve(report=report, actor=spam.course.instructor, resolution="dismiss")
    second.post(post_url(spam, "report"), {"reason": "spam"})
    spam.refresh_from_db()
    assert spam.is_hidden is False


# --- the moderators' queue -------------------------------------------------------------------------
@pytest.fixture
def queue(clients, settings, spam, spam_comment, other_instructor, admin_user):
    """Open reports on a post and a comment of `course`, a resolved one, and one in another course."""
    settings.FORUM_AUTO_HIDE_REPORTS = 10
    clients["student"].post(post_url(spam, "report"), {"reason": "spam"})
    clients["instructor"].post(post_url(spam, "report"), {"reason": "ads"})
    clients["student"].post(comment_url(spam_comment, "report"), {"reason": "rude"})
    resolved_post = services.post_create(course=spam.course, author=spam.author, title="Old", body="old")
    resolved = services.report_create(reporter=clients["student"].user, post=resolved_post, reason="x")
    services.report_resolve(report=resolved, actor=admin_user, resolution="dismiss")
    elsewhere = PublishedCourseFactory(instructor=other_instructor)
    stranger = StudentFactory()
    EnrollmentFactory(student=stranger, course=elsewhere)
    foreign_post = services.post_create(course=elsewhere, author=stranger, title="Elsewhere", body="b")
    foreign = services.report_create(reporter=other_instructor, post=foreign_post, reason="x")
    return {"course": spam.course, "resolved": resolved, "foreign": foreign, "elsewhere": elsewhere}


def _report_ids(response):
    return {r["id"] for r in response.json()["results"]}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 401),
        ("student", 403),
        ("other_student", 403),
        ("instructor", 200),
        ("other_instructor", 200),
        ("admin", 200),
    ],
)
def test_list_reports_by_role(clients, queue, role, expected):
    r = clients[role].get("/api/v1/forum/reports/", {"status": "open"})
    assert r.status_code == expected, r.content
    if expected != 200:
        return
    course_open = set(Report.objects.filter(course=queue["course"], status="open").values_list("id", flat=True))
    assert len(course_open) == 3
    expected_ids = {
        "instructor": course_open,
        "other_instructor": {queue["foreign"].pk},
        "admin": course_open | {queue["foreign"].pk},
    }[role]
    assert _report_ids(r) == expected_ids
    assert r.json()["count"] == len(expected_ids)
    row = r.json()["results"][0]
    assert {"id", "course", "post", "comment", "reporter", "reason", "status"} <= set(row)


def test_reports_filters(clients, queue):
    admin = clients["admin"]
    everything = _report_ids(admin.get("/api/v1/forum/reports/"))
    assert queue["resolved"].pk in everything and len(everything) == 5
    in_course = _report_ids(admin.get("/api/v1/forum/reports/", {"status": "open", "course": queue["course"].pk}))
    assert len(in_course) == 3 and queue["foreign"].pk not in in_course
    resolved = _report_ids(admin.get("/api/v1/forum/reports/", {"status": "resolved"}))
    assert resolved == {queue["resolved"].pk}
    # The instructor of another course filtering for this course still sees nothing of it.
    r = clients["other_instructor"].get("/api/v1/forum/reports/", {"course": queue["course"].pk})
    assert r.status_code == 200 and _report_ids(r) == set()
    assert admin.get("/api/v1/forum/reports/", {"status": "bogus"}).status_code == 400
    assert admin.get("/api/v1/forum/reports/", {"course": "abc"}).status_code == 400


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 401),
        ("student", 403),
        ("other_student", 403),
        ("instructor", 200),
        ("other_instructor", 404),
        ("admin", 200),
    ],
)
def test_resolve_by_role(clients, queue, spam, role, expected):
    report = Report.objects.filter(post=spam).first()
    r = clients[role].post(f"/api/v1/forum/reports/{report.pk}/resolve/", {"action": "hide"}, format="json")
    assert r.status_code == expected, r.content
    spam.refresh_from_db()
    assert spam.is_hidden is (expected == 200)
    assert Report.objects.filter(post=spam, status="open").exists() is (expected != 200)


@pytest.mark.parametrize("target", ["post", "comment"])
def test_hide_closes_every_open_report_of_the_item(clients, queue, spam, spam_comment, instructor, target):
    item = spam if target == "post" else spam_comment
    report = Report.objects.filter(**{target: item}).first()
    r = clients["instructor"].post(f"/api/v1/forum/reports/{report.pk}/resolve/", {"action": "hide"}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "resolved" and r.json()["resolution"] == "hide"
    item.refresh_from_db()
    assert item.is_hidden is True
    closed = Report.objects.filter(**{target: item})
    assert closed.count() == (2 if target == "post" else 1)
    assert set(closed.values_list("status", "resolution", "resolved_by")) == {("resolved", "hide", instructor.pk)}
    assert all(r.resolved_at for r in closed)
    # The other item's report stays open.
    other = "comment" if target == "post" else "post"
    assert Report.objects.filter(**{f"{other}__isnull": False, "status": "open", "course": spam.course}).count() >= 1
    log = ModerationLog.objects.get(action="hide")
    assert (log.actor, getattr(log, target), log.report_id) == (instructor, item, report.pk)


def test_restore_makes_an_auto_hidden_post_visible_again(clients, settings, any_reporter_counts, spam, admin_user):
    settings.FORUM_AUTO_HIDE_REPORTS = 2
    clients["student"].post(post_url(spam, "report"), {"reason": "spam"})
    clients["instructor"].post(post_url(spam, "report"), {"reason": "spam"})
    spam.refresh_from_db()
    assert spam.is_hidden
    assert spam.pk not in [p["id"] for p in clients["student"].get(posts_url(spam.course)).json()["results"]]
    report = Report.objects.filter(post=spam).first()
    r = clients["admin"].post(f"/api/v1/forum/reports/{report.pk}/resolve/", {"action": "restore"}, format="json")
    assert r.status_code == 200, r.content
    spam.refresh_from_db()
    assert spam.is_hidden is False
    assert not Report.objects.filter(post=spam, status="open").exists()
    assert set(Report.objects.filter(post=spam).values_list("resolution", flat=True)) == {"restore"}
    assert spam.pk in [p["id"] for p in clients["student"].get(posts_url(spam.course)).json()["results"]]
    assert clients["student"].get(post_url(spam)).json()["body"] == SECRET
    assert ModerationLog.objects.filter(action="restore", actor=admin_user, post=spam).exists()


def test_dismiss_leaves_the_item_as_it_is(clients, queue, spam, spam_comment, instructor):
    Post.objects.filter(pk=spam.pk).update(is_hidden=True)
    report = Report.objects.filter(post=spam).first()
    r = clients["instructor"].post(f"/api/v1/forum/reports/{report.pk}/resolve/", {"action": "dismiss"}, format="json")
    assert r.status_code == 200, r.content
    spam.refresh_from_db()
    assert spam.is_hidden is True
    assert set(Report.objects.filter(post=spam).values_list("status", "resolution")) == {("resolved", "dismiss")}
    report = Report.objects.get(comment=spam_comment)
    clients["instructor"].post(f"/api/v1/forum/reports/{report.pk}/resolve/", {"action": "dismiss"}, format="json")
    spam_comment.refresh_from_db()
    assert spam_comment.is_hidden is False
    assert ModerationLog.objects.filter(action="dismiss", actor=instructor).count() == 2


@pytest.mark.parametrize("payload", [{}, {"action": "delete"}, {"action": ""}, {"action": ["hide"]}])
def test_bad_resolution_is_400(clients, queue, spam, payload):
    report = Report.objects.filter(post=spam).first()
    r = clients["instructor"].post(f"/api/v1/forum/reports/{report.pk}/resolve/", payload, format="json")
    assert r.status_code == 400, r.content
    assert "action" in r.json()
    assert Report.objects.filter(post=spam, status="open").count() == 2


def test_resolving_an_unknown_report_is_404(clients):
    assert clients["admin"].post("/api/v1/forum/reports/999999/resolve/", {"action": "hide"}).status_code == 404


# --- the moderation log ----------------------------------------------------------------------------
def test_every_moderation_action_is_logged_with_its_actor(
    clients, settings, any_reporter_counts, course, student, instructor, admin_user
):
    settings.FORUM_AUTO_HIDE_REPORTS = 1
    teacher, admin = clients["instructor"], clients["admin"]
    post = services.post_create(course=course, author=student, title="t", body="b")
    comment = services.comment_create(post=post, author=student, body="c")
    for action in ("pin", "unpin", "lock", "unlock"):
        assert teacher.post(post_url(post, action)).status_code == 200
    clients["other_student"].post(comment_url(comment, "report"), {"reason": "x"})  # auto_hide
    report = Report.objects.get()
    assert admin.post(f"/api/v1/forum/reports/{report.pk}/resolve/", {"action": "restore"}).status_code == 200
    again = services.report_create(reporter=instructor, comment=comment, reason="y")  # auto-hidden again
    assert teacher.post(f"/api/v1/forum/reports/{again.pk}/resolve/", {"action": "hide"}).status_code == 200
    third = services.report_create(reporter=admin_user, post=post, reason="z")
    assert admin.post(f"/api/v1/forum/reports/{third.pk}/resolve/", {"action": "dismiss"}).status_code == 200
    assert teacher.delete(comment_url(comment)).status_code == 204
    assert admin.delete(post_url(post)).status_code == 204

    expected = [
        ("pin", instructor.pk),
        ("unpin", instructor.pk),
        ("lock", instructor.pk),
        ("unlock", instructor.pk),
        ("auto_hide", None),
        ("restore", admin_user.pk),
        ("auto_hide", None),
        ("hide", instructor.pk),
        ("auto_hide", None),
        ("dismiss", admin_user.pk),
        ("delete", instructor.pk),
        ("delete", admin_user.pk),
    ]
    logged = list(ModerationLog.objects.order_by("id").values_list("action", "actor"))
    assert logged == expected
    assert set(ModerationLog.objects.values_list("course", flat=True)) == {course.pk}

    r = teacher.get("/api/v1/forum/moderation-log/", {"page_size": 100})
    assert r.status_code == 200, r.content
    rows = r.json()["results"]
    assert [(row["action"], row["actor"]["id"] if row["actor"] else None) for row in reversed(rows)] == expected
    assert {"id", "course", "actor", "action", "post", "comment", "report", "created_at"} <= set(rows[0])
    assert "email" not in (rows[0]["actor"] or {})


@pytest.mark.parametrize(
    ("role", "expected", "sees"),
    [
        ("anonymous", 401, 0),
        ("student", 403, 0),
        ("other_student", 403, 0),
        ("instructor", 200, 1),
        ("other_instructor", 200, 0),
        ("admin", 200, 1),
    ],
)
def test_moderation_log_by_role(clients, post, instructor, role, expected, sees):
    services.post_set_flag(post=post, actor=instructor, flag="is_pinned", value=True)
    r = clients[role].get("/api/v1/forum/moderation-log/")
    assert r.status_code == expected, r.content
    if expected == 200:
        assert len(r.json()["results"]) == sees


def test_moderation_log_is_read_only(clients, post, instructor):
    services.post_set_flag(post=post, actor=instructor, flag="is_pinned", value=True)
    entry = ModerationLog.objects.get()
    assert clients["admin"].post("/api/v1/forum/moderation-log/", {"action": "pin"}).status_code == 405
    assert clients["admin"].delete(f"/api/v1/forum/moderation-log/{entry.pk}/").status_code in (404, 405)
    assert ModerationLog.objects.count() == 1

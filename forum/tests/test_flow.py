"""A discussion end to end: a thread, comments and a reply, votes, moderation."""

import pytest

from courses.tests.factories import EnrollmentFactory, PublishedCourseFactory
from forum.models import ModerationLog

pytestmark = pytest.mark.django_db


def test_a_course_discussion(clients, student, other_student, instructor, settings, any_reporter_counts):
    settings.FORUM_AUTO_HIDE_REPORTS = 1
    course = PublishedCourseFactory(instructor=instructor)
    EnrollmentFactory(student=student, course=course)
    EnrollmentFactory(student=other_student, course=course)
    alice, bob, teacher = clients["student"], clients["other_student"], clients["instructor"]

    r = alice.post(f"/api/v1/courses/{course.pk}/forum/posts/", {"title": "Week 1", "body": "How do I start?"})
    assert r.status_code == 201, r.content
    post = r.json()
    r = bob.post(f"/api/v1/forum/posts/{post['id']}/comments/", {"body": "Read the intro."})
    assert r.status_code == 201, r.content
    comment = r.json()
    r = alice.post(f"/api/v1/forum/posts/{post['id']}/comments/", {"body": "Thanks!", "parent": comment["id"]})
    assert r.status_code == 201, r.content
    tree = alice.get(f"/api/v1/forum/posts/{post['id']}/comments/").json()["results"]
    assert [c["body"] for c in tree] == ["Read the intro."]
    assert [c["body"] for c in tree[0]["replies"]] == ["Thanks!"]

    assert bob.post(f"/api/v1/forum/posts/{post['id']}/upvote/").json() == {"voted": True, "vote_count": 1}
    assert bob.post(f"/api/v1/forum/posts/{post['id']}/upvote/").json() == {"voted": False, "vote_count": 0}

    assert teacher.post(f"/api/v1/forum/posts/{post['id']}/lock/").status_code == 200
    r = bob.post(f"/api/v1/forum/posts/{post['id']}/comments/", {"body": "late"})
    assert r.status_code == 403
    assert alice.post(f"/api/v1/forum/posts/{post['id']}/pin/").status_code == 403

    r = alice.post(f"/api/v1/forum/comments/{comment['id']}/report/", {"reason": "rude"})
    assert r.status_code == 201, r.content
    hidden = bob.get(f"/api/v1/forum/posts/{post['id']}/comments/").json()["results"][0]
    assert hidden["is_hidden"] is True and hidden["body"] == "Read the intro."  # the author still sees it
    assert alice.get(f"/api/v1/forum/posts/{post['id']}/comments/").json()["results"][0]["body"] != "Read the intro."
    reports = teacher.get("/api/v1/forum/reports/?status=open").json()["results"]
    assert len(reports) == 1
    r = teacher.post(f"/api/v1/forum/reports/{reports[0]['id']}/resolve/", {"action": "restore"})
    assert r.status_code == 200, r.content
    assert alice.get(f"/api/v1/forum/posts/{post['id']}/comments/").json()["results"][0]["body"] == "Read the intro."

    assert teacher.delete(f"/api/v1/forum/posts/{post['id']}/").status_code == 204
    gone = alice.get(f"/api/v1/forum/posts/{post['id']}/").json()
    assert gone["is_removed"] is True and gone["body"] == "[removed]" and gone["comment_count"] == 2
    actions = list(ModerationLog.objects.values_list("action", flat=True).order_by("id"))
    assert actions == ["lock", "auto_hide", "restore", "delete"]

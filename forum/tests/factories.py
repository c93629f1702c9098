"""Forum rows for tests that need many of them fast. Tests of the rules themselves go through the
services (forum.services), which keep counts and sort keys right."""

from datetime import timedelta

import factory
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import StudentFactory
from courses.models import Enrollment
from courses.tests.factories import PublishedCourseFactory
from forum.models import Comment, Post


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    course = factory.SubFactory(PublishedCourseFactory)
    author = factory.SubFactory(StudentFactory)
    title = factory.Sequence(lambda n: f"Thread {n}")
    body = "A question about the course."
    last_activity_at = factory.LazyFunction(timezone.now)
    sort_key = factory.LazyAttribute(lambda o: o.last_activity_at)


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    post = factory.SubFactory(PostFactory)
    author = factory.SubFactory(StudentFactory)
    body = factory.Sequence(lambda n: f"Comment {n}")
    parent = None


def season(*users, days: int = 30) -> None:
    """Makes the users' accounts and enrollments `days` old, so their reports count towards
    auto-hide (FORUM_REPORT_MIN_ACCOUNT_AGE_DAYS, FORUM_REPORT_MIN_ENROLLMENT_AGE_DAYS)."""
    then = timezone.now() - timedelta(days=days)
    pks = [user.pk for user in users]
    User.objects.filter(pk__in=pks).update(date_joined=then)
    Enrollment.objects.filter(student_id__in=pks).update(enrolled_at=then)
    for user in users:
        user.date_joined = then


# API paths


def posts_url(course) -> str:
    return f"/api/v1/courses/{course.pk}/forum/posts/"


def post_url(post, action: str = "") -> str:
    return f"/api/v1/forum/posts/{post.pk}/" + (f"{action}/" if action else "")


def comment_url(comment, action: str = "") -> str:
    return f"/api/v1/forum/comments/{comment.pk}/" + (f"{action}/" if action else "")

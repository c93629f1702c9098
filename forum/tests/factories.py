"""Forum rows for tests that need many of them fast. Tests of the rules themselves go through the
services (forum.services), which keep counts and sort keys right."""

import factory
from django.utils import timezone

from accounts.tests.factories import StudentFactory
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


# API paths


def posts_url(course) -> str:
    return f"/api/v1/courses/{course.pk}/forum/posts/"


def post_url(post, action: str = "") -> str:
    return f"/api/v1/forum/posts/{post.pk}/" + (f"{action}/" if action else "")


def comment_url(comment, action: str = "") -> str:
    return f"/api/v1/forum/comments/{comment.pk}/" + (f"{action}/" if action else "")

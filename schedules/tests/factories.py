from datetime import timedelta

import factory
from django.utils import timezone

from courses.tests.factories import PublishedCourseFactory
from schedules.models import Cohort, LiveSession


class CohortFactory(factory.django.DjangoModelFactory):
    """A cohort starting in a week, enrollment open now until it starts, with 2 seats."""

    class Meta:
        model = Cohort

    course = factory.SubFactory(PublishedCourseFactory)
    name = factory.Sequence(lambda n: f"Cohort {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(days=60))
    enrollment_opens_at = None
    enrollment_closes_at = factory.LazyAttribute(lambda o: o.starts_at)
    capacity = 2


class LiveSessionFactory(factory.django.DjangoModelFactory):
    """A one-hour session of a course for all its students, starting in a day."""

    class Meta:
        model = LiveSession

    course = factory.SubFactory(PublishedCourseFactory)
    cohort = None
    title = factory.Sequence(lambda n: f"Live session {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))
    duration_minutes = 60
    join_url = factory.Sequence(lambda n: f"https://meet.example.com/session-{n}")

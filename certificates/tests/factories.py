"""Certificate rows made directly, with a small stand-in PDF, for the tests that do not need a
rendered one (rendering takes ~0.3 s)."""

import hashlib

import factory
from django.utils import timezone

from certificates.models import Certificate
from courses.tests.factories import EnrollmentFactory

FAKE_PDF = b"%PDF-1.4\n% a stand-in certificate for tests\n%%EOF\n"


class CompletedEnrollmentFactory(EnrollmentFactory):
    completed_at = factory.LazyFunction(timezone.now)


class CertificateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certificate

    enrollment = factory.SubFactory(CompletedEnrollmentFactory)
    student = factory.LazyAttribute(lambda o: o.enrollment.student)
    course = factory.LazyAttribute(lambda o: o.enrollment.course)
    issued_at = factory.LazyFunction(timezone.now)
    completed_at = factory.LazyAttribute(lambda o: o.enrollment.completed_at)
    student_name = factory.LazyAttribute(lambda o: o.student.full_name)
    course_title = factory.LazyAttribute(lambda o: o.course.title)
    instructor_name = factory.LazyAttribute(lambda o: o.course.instructor.full_name)
    pdf = factory.django.FileField(data=FAKE_PDF, filename="certificate.pdf")
    pdf_sha256 = hashlib.sha256(FAKE_PDF).hexdigest()

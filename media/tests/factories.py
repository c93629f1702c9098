"""Uploads as rows, for the tests about what the database says (quotas, the sweeper); the tests of
the upload steps make real files through the API instead."""

from datetime import timedelta

import factory
from django.utils import timezone

from accounts.tests.factories import InstructorFactory
from media.models import Upload, UploadPurpose, UploadStatus


class UploadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Upload

    owner = factory.SubFactory(InstructorFactory)
    purpose = UploadPurpose.LESSON_ATTACHMENT
    status = UploadStatus.READY
    filename = factory.Sequence(lambda n: f"file{n}.pdf")
    content_type = "application/pdf"
    size = 1000
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=1))
    key = factory.LazyAttribute(lambda o: "")

"""Media on S3-compatible storage (MEDIA_STORAGE=s3, django-storages): a certificate PDF is written
to the bucket and downloaded through the API, against moto's S3 server on loopback standing in for
AWS S3, MinIO or R2 (the `s3_storage` fixture of the root conftest.py)."""

import pytest
from django.core.files.storage import storages

from certificates import services
from certificates.tests.factories import CompletedEnrollmentFactory
from conftest import client_for


@pytest.mark.django_db
def test_certificate_pdf_is_stored_in_the_bucket_and_downloaded_through_the_api(s3_storage, student):
    assert type(storages["default"]).__name__ == "S3Storage"
    enrollment = CompletedEnrollmentFactory(student=student)
    certificate = services.certificate_issue(enrollment_id=enrollment.pk)

    keys = [obj["Key"] for obj in s3_storage.list_objects_v2(Bucket=s3_storage.bucket)["Contents"]]
    assert keys == [f"media/{certificate.pdf.name}"]
    stored = s3_storage.get_object(Bucket=s3_storage.bucket, Key=keys[0])["Body"].read()
    assert stored.startswith(b"%PDF")

    response = client_for(student).get(f"/api/v1/certificates/{certificate.pk}/download/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == stored
    # Private objects: a URL to the bucket is signed and expires.
    assert "X-Amz-Signature=" in certificate.pdf.url or "Signature=" in certificate.pdf.url

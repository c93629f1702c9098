"""Media on S3-compatible storage (MEDIA_STORAGE=s3, django-storages): a certificate PDF is written
to the bucket and downloaded through the API, against moto's S3 server on loopback standing in for
AWS S3, MinIO or R2."""

import socket

import boto3
import pytest
from django.core.files.storage import storages

from certificates import services
from certificates.tests.factories import CompletedEnrollmentFactory
from conftest import client_for

BUCKET = "lms-media-test"


@pytest.fixture
def s3_storage(settings):
    from moto.server import ThreadedMotoServer

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    credentials = {"aws_access_key_id": "test", "aws_secret_access_key": "test", "region_name": "us-east-1"}
    s3 = boto3.client("s3", endpoint_url=endpoint, **credentials)
    s3.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": endpoint,
                "region_name": "us-east-1",
                "access_key": "test",
                "secret_key": "test",
                "location": "media",
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
            },
        },
    }
    try:
        yield s3
    finally:
        server.stop()


@pytest.mark.django_db
def test_certificate_pdf_is_stored_in_the_bucket_and_downloaded_through_the_api(s3_storage, student):
    assert type(storages["default"]).__name__ == "S3Storage"
    enrollment = CompletedEnrollmentFactory(student=student)
    certificate = services.certificate_issue(enrollment_id=enrollment.pk)

    keys = [obj["Key"] for obj in s3_storage.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert keys == [f"media/{certificate.pdf.name}"]
    stored = s3_storage.get_object(Bucket=BUCKET, Key=keys[0])["Body"].read()
    assert stored.startswith(b"%PDF")

    response = client_for(student).get(f"/api/v1/certificates/{certificate.pk}/download/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == stored
    # Private objects: a URL to the bucket is signed and expires.
    assert "X-Amz-Signature=" in certificate.pdf.url or "Signature=" in certificate.pdf.url

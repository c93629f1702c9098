"""Storage quotas: MEDIA_QUOTA_BYTES for everyone, or a StorageQuota an admin set; what counts (ready
files, and open asks by their declared size); and two asks together cannot pass the quota."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from conftest import client_for
from lms.errors import Conflict, NotPermitted
from lms.testing import run_together
from media import services
from media.models import StorageQuota, Upload, UploadStatus

from . import helpers
from .factories import UploadFactory

pytestmark = pytest.mark.django_db


def _ask(client, size: int):
    return helpers.ask(client, purpose="lesson_attachment", filename="a.pdf", content_type="application/pdf", size=size)


def test_an_ask_past_the_default_quota_is_409(instructor, settings):
    settings.MEDIA_QUOTA_BYTES = 10_000
    UploadFactory(owner=instructor, size=6000)
    client = client_for(instructor)
    response = _ask(client, 4001)
    assert response.status_code == 409
    assert response.json()["code"] == "storage_quota_exceeded"
    assert response.json()["quota_bytes"] == 10_000 and response.json()["used_bytes"] == 6000
    assert Upload.objects.count() == 1
    assert _ask(client, 4000).status_code == 201  # exactly the quota is allowed


def test_a_quota_set_by_an_admin_replaces_the_default(instructor, admin_user, settings):
    settings.MEDIA_QUOTA_BYTES = 1000
    client = client_for(instructor)
    assert _ask(client, 5000).status_code == 409
    services.storage_quota_set(actor=admin_user, user=instructor, quota_bytes=5000)
    assert StorageQuota.objects.get(user=instructor).updated_by == admin_user
    assert _ask(client, 5000).status_code == 201
    assert _ask(client, 1).status_code == 409
    services.storage_quota_set(actor=admin_user, user=instructor, quota_bytes=None)
    assert not StorageQuota.objects.exists()
    assert services.storage_quota(instructor) == 1000


def test_only_admins_set_quotas(instructor, other_instructor):
    with pytest.raises(NotPermitted):
        services.storage_quota_set(actor=instructor, user=other_instructor, quota_bytes=10**12)
    assert not StorageQuota.objects.exists()


def test_what_counts_against_the_quota(instructor, other_instructor):
    past = timezone.now() - timedelta(minutes=1)
    UploadFactory(owner=instructor, size=100)  # ready
    UploadFactory(owner=instructor, size=20, status=UploadStatus.PENDING)  # asked, still open
    UploadFactory(owner=instructor, size=3, status=UploadStatus.PENDING, expires_at=past)  # asked, lapsed
    UploadFactory(owner=instructor, size=4000, status=UploadStatus.REJECTED)
    UploadFactory(owner=other_instructor, size=50_000)
    assert services.storage_used(instructor) == 120


def test_deleting_files_frees_the_quota(instructor, settings):
    settings.MEDIA_QUOTA_BYTES = len(helpers.TEXT)
    client = client_for(instructor)
    done = helpers.upload(client, purpose="lesson_attachment", filename="a.txt", content_type="text/plain",
                          data=helpers.TEXT)  # fmt: skip
    assert _ask(client, 1).status_code == 409
    assert client.delete(f"/api/v1/uploads/{done.json()['id']}/").status_code == 204
    assert _ask(client, 1).status_code == 201


@pytest.mark.django_db(transaction=True)
def test_two_asks_together_cannot_pass_the_quota(postgres, instructor, settings):
    """Each fits alone, both do not: the asks are serialized on the user's row, so one is refused."""
    settings.MEDIA_QUOTA_BYTES = 1500

    def ask():
        return services.upload_create(
            actor=instructor, purpose="lesson_attachment", filename="a.pdf", content_type="application/pdf", size=1000
        )

    results = run_together([ask] * 4)
    assert connection.vendor == "postgresql"
    assert sum(isinstance(r, Upload) for r in results) == 1, results
    assert all(
        isinstance(r, Conflict) and r.code == "storage_quota_exceeded" for r in results if not isinstance(r, Upload)
    )
    assert services.storage_used(instructor) == 1000

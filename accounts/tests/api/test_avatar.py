"""PATCH /api/v1/auth/me/ with `avatar` (an upload id, or null): one's profile picture, shown on
/auth/me/, and the files of a replaced or removed one deleted after commit."""

import pytest

from accounts import services
from accounts.models import User
from accounts.tests.api.helpers import ME
from conftest import ROLES
from courses.tests.media_helpers import files_of, refused_on, upload_ready
from lms.errors import NotPermitted
from media.models import Upload
from media.services import upload_attach

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


def avatar_ready(user, capture) -> str:
    with capture(execute=True):  # the thumbnail is made after commit
        return upload_ready(user, "avatar")


@pytest.mark.parametrize("role", ROLES)
def test_setting_my_avatar(clients, role, django_capture_on_commit_callbacks):
    client = clients[role]
    if role == "anonymous":
        assert client.patch(ME, {"avatar": None}, format="json").status_code == 401
        return
    avatar = avatar_ready(client.user, django_capture_on_commit_callbacks)

    response = client.patch(ME, {"avatar": avatar}, format="json")

    assert response.status_code == 200, response.content
    shown = response.json()["avatar"]
    assert shown["url"].startswith("http://testserver/files/public/") and avatar in shown["url"]
    assert shown["thumb_url"].endswith("/thumb.jpg")
    assert client.get(ME).json()["avatar"] == shown
    assert str(User.objects.get(pk=client.user.pk).avatar_id) == avatar


def test_no_avatar_is_null_and_the_thumbnail_is_null_until_made(student_client, student):
    assert student_client.get(ME).json()["avatar"] is None
    avatar = upload_ready(student, "avatar")  # not derived: no on_commit callbacks ran

    shown = student_client.patch(ME, {"avatar": avatar}, format="json").json()["avatar"]

    assert avatar in shown["url"] and shown["thumb_url"] is None


def test_replacing_my_avatar_deletes_the_old_files(student_client, student, django_capture_on_commit_callbacks):
    old = avatar_ready(student, django_capture_on_commit_callbacks)
    services.user_avatar_set(actor=student, user=student, upload_id=old)
    new = avatar_ready(student, django_capture_on_commit_callbacks)
    assert files_of(old)

    with django_capture_on_commit_callbacks(execute=True):
        response = student_client.patch(ME, {"avatar": new, "first_name": "Renamed"}, format="json")

    assert response.status_code == 200
    assert new in response.json()["avatar"]["url"] and response.json()["first_name"] == "Renamed"
    assert not Upload.objects.filter(pk=old).exists() and files_of(old) == set()


def test_null_removes_my_avatar(student_client, student, django_capture_on_commit_callbacks):
    avatar = avatar_ready(student, django_capture_on_commit_callbacks)
    services.user_avatar_set(actor=student, user=student, upload_id=avatar)

    with django_capture_on_commit_callbacks(execute=True):
        response = student_client.patch(ME, {"avatar": None}, format="json")

    assert response.json()["avatar"] is None
    assert not Upload.objects.filter(pk=avatar).exists() and files_of(avatar) == set()


def test_the_same_avatar_again_changes_nothing(student_client, student):
    avatar = upload_ready(student, "avatar")
    services.user_avatar_set(actor=student, user=student, upload_id=avatar)
    assert student_client.patch(ME, {"avatar": avatar}, format="json").status_code == 200
    assert Upload.objects.filter(pk=avatar).exists()


def test_other_fields_leave_the_avatar_alone(student_client, student):
    avatar = upload_ready(student, "avatar")
    services.user_avatar_set(actor=student, user=student, upload_id=avatar)
    assert avatar in student_client.patch(ME, {"first_name": "X"}, format="json").json()["avatar"]["url"]


# --- refusals --------------------------------------------------------------------------------------
def _refused(client, avatar) -> str:
    before = User.objects.get(pk=client.user.pk).avatar_id
    code = refused_on(client.patch(ME, {"avatar": avatar}, format="json"), "avatar")
    assert User.objects.get(pk=client.user.pk).avatar_id == before
    return code


def test_someone_elses_upload_is_refused(student_client, other_student):
    assert _refused(student_client, upload_ready(other_student, "avatar")) == "invalid_upload"


def test_an_upload_of_another_purpose_is_refused(instructor_client, instructor):
    assert _refused(instructor_client, upload_ready(instructor, "course_cover")) == "invalid_upload"


def test_an_upload_not_completed_is_refused(student_client, student):
    assert _refused(student_client, upload_ready(student, "avatar", complete=False)) == "upload_not_ready"


def test_an_upload_in_use_is_refused(student_client, student):
    avatar = upload_ready(student, "avatar")
    upload_attach(actor=student, upload_id=avatar, purposes="avatar", field="x")
    assert _refused(student_client, avatar) == "upload_in_use"


@pytest.mark.parametrize("bad", ["nope", 5])
def test_a_malformed_id_is_refused(student_client, bad):
    _refused(student_client, bad)


# --- the service -----------------------------------------------------------------------------------
def test_an_admin_sets_someones_avatar_with_their_own_upload(admin_user, student):
    avatar = upload_ready(admin_user, "avatar")
    assert str(services.user_avatar_set(actor=admin_user, user=student, upload_id=avatar).avatar_id) == avatar


def test_nobody_else_sets_my_avatar(student, other_student):
    avatar = upload_ready(other_student, "avatar")
    with pytest.raises(NotPermitted):
        services.user_avatar_set(actor=other_student, user=student, upload_id=avatar)
    assert User.objects.get(pk=student.pk).avatar_id is None


def test_the_admin_user_page_shows_the_avatar(staff, student):
    avatar = upload_ready(student, "avatar")
    services.user_avatar_set(actor=student, user=student, upload_id=avatar)
    page = staff.get(f"/admin/accounts/user/{student.pk}/change/")
    assert page.status_code == 200
    assert f"/files/public/{avatar}/".encode() in page.content

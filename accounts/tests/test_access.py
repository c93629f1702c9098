"""accounts.access: user_for fetches an account and authorizes the caller in one call (admins
only, 403 `not_admin`; a garbage or unknown id is a 404); role_require guards the role apps."""

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.access import role_require, user_for
from accounts.models import Role
from lms.errors import NotFound, NotPermitted

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["anonymous", "student", "instructor", "admin_user"])
def test_user_for_is_for_admins_only(request, student, who):
    user = AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)
    if who == "admin_user":
        assert user_for(user, student.pk) == student
        assert user_for(user, str(student.pk), need="administer") == student
        return
    with pytest.raises(NotPermitted) as refused:
        user_for(user, student.pk)
    assert refused.value.code == "not_admin"


def test_user_for_refuses_a_non_admin_before_looking_the_id_up(student):
    """A non-admin learns nothing about which ids exist: 403 for a real and an unknown id alike."""
    for user_id in (student.pk, 999_999, "garbage"):
        with pytest.raises(NotPermitted):
            user_for(student, user_id)


@pytest.mark.parametrize("garbage", ["abc", "", None, "0", "-1", "1.5", str(2**63), "999999"])
def test_user_for_a_garbage_or_unknown_id_is_not_found(admin_user, garbage):
    with pytest.raises(NotFound):
        user_for(admin_user, garbage)


def test_user_for_an_unknown_need_is_a_programming_error(admin_user, student):
    with pytest.raises(ValueError):
        user_for(admin_user, student.pk, need="read")


def test_role_require(student, instructor):
    assert role_require(instructor, role=Role.INSTRUCTOR, message="no") == instructor
    with pytest.raises(NotPermitted) as refused:
        role_require(student, role=Role.INSTRUCTOR, message="Not an instructor account.")
    assert (refused.value.code, refused.value.message) == ("wrong_role", "Not an instructor account.")


@pytest.mark.parametrize("path", ["/api/v1/admin/users/abc/", "/api/v1/admin/users/999999/"])
def test_the_admin_users_api_answers_404_for_a_garbage_or_unknown_id(admin_client, path):
    assert admin_client.get(path).status_code == 404
    assert admin_client.patch(path, {"role": "student"}, format="json").status_code == 404
    assert admin_client.delete(path).status_code == 404

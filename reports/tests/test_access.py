"""reports.access.report_for: admins build any report; instructors only those with an instructor
scope (the others do not exist for them: 404); anyone else is refused (403 `not_allowed`)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from lms.errors import NotFound, NotPermitted
from reports.access import report_for
from reports.selectors import REPORTS

pytestmark = pytest.mark.django_db

SCOPED = sorted(name for name, spec in REPORTS.items() if spec.instructor_scope)
PLATFORM_WIDE = sorted(name for name, spec in REPORTS.items() if not spec.instructor_scope)


def test_there_are_both_kinds():
    assert SCOPED and PLATFORM_WIDE


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_admins_build_every_report(admin_user, name):
    assert report_for(admin_user, name, need="admin") is REPORTS[name]


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_instructors_build_only_the_scoped_ones(instructor, name):
    if name in SCOPED:
        assert report_for(instructor, name, need="instructor") is REPORTS[name]
    else:
        with pytest.raises(NotFound):
            report_for(instructor, name, need="instructor")


@pytest.mark.parametrize("who", ["anonymous", "student", "instructor", "admin_user"])
@pytest.mark.parametrize("need", ["admin", "instructor"])
def test_the_wrong_role_is_refused(request, who, need):
    user = AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)
    allowed = (need, who) in {("admin", "admin_user"), ("instructor", "instructor")}
    if allowed:
        assert report_for(user, SCOPED[0], need=need)
        return
    with pytest.raises(NotPermitted) as refused:
        report_for(user, SCOPED[0], need=need)
    assert refused.value.code == "not_allowed"


@pytest.mark.parametrize("name", ["", "nope", "../signups", "SIGNUPS"])
def test_an_unknown_report_is_not_found(admin_user, name):
    with pytest.raises(NotFound):
        report_for(admin_user, name, need="admin")


def test_an_unknown_need_is_a_programming_error(admin_user):
    with pytest.raises(ValueError):
        report_for(admin_user, SCOPED[0], need="read")

"""manage.py reissue_certificates: for one course or the whole catalog, with progress output."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from certificates.models import CertificateStatus
from certificates.tests.factories import CertificateFactory
from courses.tests.factories import PublishedCourseFactory

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("reissue_certificates", *args, stdout=out)
    return out.getvalue()


def versions(*certificates) -> list[int]:
    for certificate in certificates:
        certificate.refresh_from_db()
    return [c.version for c in certificates]


def test_course_reissues_only_that_course(django_capture_on_commit_callbacks):
    here, elsewhere = CertificateFactory(), CertificateFactory()
    with django_capture_on_commit_callbacks(execute=True):
        output = run("--course", str(here.course_id))
    assert versions(here, elsewhere) == [2, 1]
    assert here.revisions.count() == 1
    assert "1/1" in output
    assert "Re-issued 1 certificate(s)" in output


def test_all_reissues_every_issued_certificate_but_not_revoked_ones(django_capture_on_commit_callbacks):
    first, second = CertificateFactory(), CertificateFactory()
    revoked = CertificateFactory(status=CertificateStatus.REVOKED, revoked_reason="Fraud")
    with django_capture_on_commit_callbacks(execute=True):
        output = run("--all")
    assert versions(first, second, revoked) == [2, 2, 1]
    assert "1/2" in output and "2/2" in output
    assert "Re-issued 2 certificate(s)" in output


def test_include_revoked(django_capture_on_commit_callbacks):
    revoked = CertificateFactory(status=CertificateStatus.REVOKED, revoked_reason="Fraud")
    with django_capture_on_commit_callbacks(execute=True):
        run("--course", str(revoked.course_id), "--include-revoked")
    revoked.refresh_from_db()
    assert revoked.version == 2
    assert revoked.status == CertificateStatus.REVOKED  # re-printing never un-revokes


def test_course_without_certificates_is_an_error():
    empty = PublishedCourseFactory()
    CertificateFactory()
    with pytest.raises(CommandError, match="No certificates"):
        run("--course", str(empty.pk))
    with pytest.raises(CommandError):
        run("--course", "987654")


def test_all_with_nothing_to_do_says_so():
    assert "Re-issued 0 certificate(s)" in run("--all")


@pytest.mark.parametrize("args", [(), ("--all", "--course", "1")])
def test_a_scope_is_required(args):
    with pytest.raises(CommandError):
        run(*args)

"""manage.py reissue_certificates: for one course or the whole catalog, a dry run, progress output."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from certificates.models import CertificateStatus
from certificates.tests.factories import CertificateFactory
from courses.tests.factories import PublishedCourseFactory

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    return run_both(*args)[0]


def run_both(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("reissue_certificates", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def versions(*certificates) -> list[int]:
    for certificate in certificates:
        certificate.refresh_from_db()
    return [c.version for c in certificates]


def test_course_reissues_only_that_course(django_capture_on_commit_callbacks):
    here, elsewhere = CertificateFactory(), CertificateFactory()
    with django_capture_on_commit_callbacks(execute=True):
        output, progress = run_both("--course", str(here.course_id), "--progress")
    assert versions(here, elsewhere) == [2, 1]
    assert here.revisions.count() == 1
    assert "1/1" in progress and "1/1" not in output
    assert "Re-issued 1 certificate(s)" in output


def test_all_reissues_every_issued_certificate_but_not_revoked_ones(django_capture_on_commit_callbacks):
    first, second = CertificateFactory(), CertificateFactory()
    revoked = CertificateFactory(status=CertificateStatus.REVOKED, revoked_reason="Fraud")
    with django_capture_on_commit_callbacks(execute=True):
        output, progress = run_both("--all", "--progress")
    assert versions(first, second, revoked) == [2, 2, 1]
    assert "Re-issuing [" in progress and "1/2" in progress and "2/2 100%" in progress
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


def test_no_progress_bar_unless_asked_or_on_a_terminal(django_capture_on_commit_callbacks):
    CertificateFactory()
    with django_capture_on_commit_callbacks(execute=True):
        _, progress = run_both("--all")
    assert progress == ""


def test_dry_run_lists_what_would_change_and_changes_nothing(django_capture_on_commit_callbacks):
    renamed = CertificateFactory()
    same = CertificateFactory(course=renamed.course, enrollment__course=renamed.course)
    revoked = CertificateFactory(
        course=renamed.course, enrollment__course=renamed.course, status=CertificateStatus.REVOKED
    )
    student = renamed.student
    student.first_name, student.last_name = "Grace", "Hopper"
    student.save(update_fields=["first_name", "last_name"])
    before = {c.pk: (c.version, c.pdf.name, c.pdf_sha256, c.student_name) for c in (renamed, same, revoked)}

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        output = run("--course", str(renamed.course_id), "--dry-run")

    assert f"{renamed.verification_code}  course {renamed.course_id}  v1 -> v2  issued" in output
    assert f"student_name: {renamed.student_name!r} -> 'Grace Hopper'" in output
    assert f"{same.verification_code}" in output and "names unchanged" in output
    assert revoked.verification_code not in output
    assert "Dry run: would re-issue 2 certificate(s). Nothing was changed." in output
    assert callbacks == []
    for certificate in (renamed, same, revoked):
        certificate.refresh_from_db()
        assert (certificate.version, certificate.pdf.name, certificate.pdf_sha256, certificate.student_name) == before[
            certificate.pk
        ]
        assert not certificate.revisions.exists()


def test_dry_run_with_revoked_ones_lists_them_too():
    revoked = CertificateFactory(status=CertificateStatus.REVOKED, revoked_reason="Fraud")
    output = run("--all", "--include-revoked", "--dry-run")
    assert f"{revoked.verification_code}" in output and "revoked" in output
    assert "would re-issue 1 certificate(s)" in output

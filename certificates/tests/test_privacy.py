"""Certificates' part of privacy: the export of a person's certificates, their earlier versions and
the PDFs (theirs only), and the erasure that keeps each certificate verifiable with the holder's name
withheld: the name blanked, every PDF deleted, verify saying so, re-issue refused; idempotent,
resumable, other people's certificates untouched."""

import json
from io import StringIO

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management import call_command

from accounts.tests.factories import StudentFactory
from certificates import services
from certificates.models import Certificate, CertificateRevision, CertificateStatus
from certificates.privacy import certificates_erase, certificates_export, certificates_files
from certificates.tests.factories import FAKE_PDF, CertificateFactory, CompletedEnrollmentFactory
from courses.tests.factories import PublishedCourseFactory
from lms.errors import Conflict
from lms.tests.openapi import schema_errors
from media import storage
from privacy import registry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


def verify_url(code: str) -> str:
    return f"/api/v1/certificates/verify/{code}/"


@pytest.fixture
def holder():
    return StudentFactory(first_name="Ada", last_name="Lovelace", email="ada.lovelace@example.com")


@pytest.fixture
def world(holder, other_student, instructor):
    """The holder's two certificates (one re-issued once, so with an earlier version; one revoked)
    and another student's, of the same course."""
    course = PublishedCourseFactory(instructor=instructor, title="Testing in Depth")
    mine = CertificateFactory(enrollment=CompletedEnrollmentFactory(student=holder, course=course))
    mine = services.certificate_reissue(actor=None, certificate=mine)
    revoked = CertificateFactory(enrollment=CompletedEnrollmentFactory(student=holder))
    services.certificate_revoke(actor=None, certificate=revoked, reason="Exam taken by someone else")
    theirs = CertificateFactory(enrollment=CompletedEnrollmentFactory(student=other_student, course=course))
    return {"mine": mine, "revoked": revoked, "theirs": theirs}


def stored_names(*certificates) -> list[str]:
    names = []
    for certificate in certificates:
        certificate.refresh_from_db()
        names.append(certificate.pdf.name)
        names.extend(revision.pdf.name for revision in certificate.revisions.all() if revision.pdf)
    return names


def others_rows(holder) -> dict:
    return {
        "certificates": list(Certificate.objects.exclude(student=holder).order_by("pk").values()),
        "revisions": list(CertificateRevision.objects.exclude(certificate__student=holder).order_by("pk").values()),
    }


# --- registration ---------------------------------------------------------------------------------
def test_certificates_registers_an_exporter_and_an_eraser_covering_its_user_links():
    exporter = next(e for e in registry.exporters() if e.name == "certificates")
    eraser = next(e for e in registry.erasers() if e.name == "certificates")
    assert [m._meta.label for m in exporter.models] == ["certificates.Certificate"]
    assert [m._meta.label for m in eraser.models] == ["certificates.Certificate"]
    assert exporter.describe and eraser.policy and exporter.files is certificates_files
    assert not [label for label in registry.uncovered()["erase"] if label.startswith("certificates.")]
    assert not [label for label in registry.uncovered()["export"] if label.startswith("certificates.")]
    # after the courses eraser: no certificate can be issued to the person once this has run
    assert eraser.order > next(e for e in registry.erasers() if e.name == "courses").order


# --- export ---------------------------------------------------------------------------------------
def test_the_export_lists_the_holders_certificates_versions_and_pdfs_only(world, holder):
    mine, revoked, theirs = world["mine"], world["revoked"], world["theirs"]

    data = certificates_export(holder)

    text = json.dumps(data)  # JSON-able as it is
    assert {row["id"] for row in data["certificates"]} == {mine.pk, revoked.pk}
    assert theirs.verification_code not in text
    row = next(row for row in data["certificates"] if row["id"] == mine.pk)
    assert row["student_name"] == "Ada Lovelace"
    assert row["course_title"] == "Testing in Depth"
    assert row["verification_code"] == mine.verification_code
    assert row["verify_url"].endswith(verify_url(mine.verification_code))
    assert (row["status"], row["version"], row["pdf"]) == ("issued", 2, f"certificates/{mine.pk}/v2.pdf")
    assert row["pdf_sha256"] == mine.pdf_sha256
    revoked_row = next(row for row in data["certificates"] if row["id"] == revoked.pk)
    assert (revoked_row["status"], revoked_row["revoked_reason"]) == ("revoked", "Exam taken by someone else")
    [earlier] = data["earlier_versions"]
    assert (earlier["certificate_id"], earlier["version"], earlier["pdf"]) == (
        mine.pk,
        1,
        f"certificates/{mine.pk}/v1.pdf",
    )
    assert earlier["student_name"] == "Ada Lovelace"


def test_the_export_files_are_the_holders_stored_pdfs(world, holder):
    mine, revoked = world["mine"], world["revoked"]

    files = dict(certificates_files(holder))

    assert set(files) == {
        f"certificates/{mine.pk}/v2.pdf",
        f"certificates/{mine.pk}/v1.pdf",
        f"certificates/{revoked.pk}/v1.pdf",
    }
    assert files[f"certificates/{mine.pk}/v2.pdf"] == mine.pdf.name
    assert files[f"certificates/{revoked.pk}/v1.pdf"] == revoked.pdf.name
    with storage.open_read(files[f"certificates/{revoked.pk}/v1.pdf"]) as pdf:
        assert pdf.read() == FAKE_PDF
    for key in files.values():
        assert storage.exists(key)
    assert world["theirs"].pdf.name not in files.values()


def test_someone_without_certificates_exports_nothing(student):
    assert certificates_export(student) == {"certificates": [], "earlier_versions": []}
    assert list(certificates_files(student)) == []


# --- erasure --------------------------------------------------------------------------------------
def test_erasure_withholds_the_name_deletes_every_pdf_and_keeps_the_certificate_verifiable(
    world, holder, clients, django_capture_on_commit_callbacks
):
    mine, revoked, theirs = world["mine"], world["revoked"], world["theirs"]
    files = stored_names(mine, revoked)
    assert len(files) == 3 and all(default_storage.exists(name) for name in files)
    before = others_rows(holder)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.certificates_erase_for_user(user=holder) == 2

    for certificate in (mine, revoked):
        certificate.refresh_from_db()
        assert certificate.student_id == holder.pk  # kept, pointing at the (later pseudonymised) user
        assert (certificate.student_name, certificate.pdf.name, certificate.pdf_sha256) == ("", "", "")
        assert certificate.name_withheld and certificate.name_withheld_at is not None
        assert certificate.course_title and certificate.instructor_name
    assert list(mine.revisions.values_list("student_name", "pdf", "pdf_sha256")) == [("", "", "")]
    assert not [name for name in files if default_storage.exists(name)]
    assert (mine.status, revoked.status) == (CertificateStatus.ISSUED, CertificateStatus.REVOKED)
    assert others_rows(holder) == before
    assert default_storage.exists(theirs.pdf.name)

    response = clients["anonymous"].get(verify_url(mine.verification_code))
    assert response.status_code == 200
    body = response.json()
    assert (body["valid"], body["status"], body["name_withheld"], body["student_name"]) == (True, "issued", True, "")
    assert (body["course_title"], body["sha256"], body["version"]) == ("Testing in Depth", "", 2)
    assert "Lovelace" not in response.content.decode()
    assert schema_errors(body, "Verification") == []
    gone = clients["anonymous"].get(verify_url(revoked.verification_code)).json()
    assert (gone["valid"], gone["name_withheld"], gone["revoked_reason"]) == (False, True, "Exam taken by someone else")
    kept = clients["anonymous"].get(verify_url(theirs.verification_code)).json()
    assert (kept["name_withheld"], kept["student_name"]) == (False, theirs.student_name)
    assert schema_errors(kept, "Verification") == []


def test_the_pdf_of_a_withheld_certificate_is_not_served_any_more(world, holder, clients):
    certificates_erase(holder)

    response = clients["admin"].get(f"/api/v1/certificates/{world['mine'].pk}/download/")

    assert response.status_code == 404


def test_a_second_erasure_changes_nothing(world, holder):
    certificates_erase(holder)
    first = list(Certificate.objects.order_by("pk").values()), list(CertificateRevision.objects.order_by("pk").values())

    assert services.certificates_erase_for_user(user=holder) == 0

    again = list(Certificate.objects.order_by("pk").values()), list(CertificateRevision.objects.order_by("pk").values())
    assert again == first


def test_an_erasure_that_died_after_deleting_the_files_is_finished_by_the_next_run(world, holder, monkeypatch):
    files = stored_names(world["mine"], world["revoked"])
    real_save = Certificate.save

    def crash(self, *args, **kwargs):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(Certificate, "save", crash)
    with pytest.raises(RuntimeError):
        services.certificates_erase_for_user(user=holder)
    monkeypatch.setattr(Certificate, "save", real_save)
    # the rows rolled back (they still name the deleted files); the files are gone
    world["mine"].refresh_from_db()
    assert world["mine"].student_name == "Ada Lovelace" and world["mine"].pdf.name
    assert not [name for name in files if default_storage.exists(name)]

    assert services.certificates_erase_for_user(user=holder) == 2

    world["mine"].refresh_from_db()
    assert (world["mine"].student_name, world["mine"].pdf.name) == ("", "")
    assert not CertificateRevision.objects.filter(certificate__student=holder).exclude(student_name="").exists()


def test_a_withheld_certificate_is_never_printed_again(world, holder, instructor):
    mine = world["mine"]
    certificates_erase(holder)

    with pytest.raises(Conflict) as refused:
        services.certificate_reissue(actor=instructor, certificate=mine)

    assert refused.value.code == "name_withheld"
    mine.refresh_from_db()
    assert (mine.version, mine.student_name, mine.pdf.name) == (2, "", "")
    assert mine.revisions.count() == 1


def test_the_reissue_command_leaves_withheld_certificates_out(world, holder, django_capture_on_commit_callbacks):
    certificates_erase(holder)
    out = StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("reissue_certificates", "--all", "--include-revoked", stdout=out)

    assert "Re-issued 1 certificate(s)" in out.getvalue()
    world["mine"].refresh_from_db()
    world["theirs"].refresh_from_db()
    assert (world["mine"].version, world["mine"].student_name) == (2, "")
    assert world["theirs"].version == 2


def test_an_erased_instructor_s_name_is_replaced_on_their_students_certificates(world, instructor):
    instructor.first_name, instructor.last_name = "Ottoline", "Vandersloot-Pym"
    instructor.save(update_fields=["first_name", "last_name"])
    mine, theirs = world["mine"], world["theirs"]  # both of the instructor's course
    Certificate.objects.filter(pk__in=[mine.pk, theirs.pk]).update(instructor_name="Ottoline Vandersloot-Pym")
    CertificateRevision.objects.filter(certificate=mine).update(instructor_name="Ottoline Vandersloot-Pym")
    elsewhere = CertificateFactory(enrollment=CompletedEnrollmentFactory(course=PublishedCourseFactory()))
    elsewhere_before = list(Certificate.objects.filter(pk=elsewhere.pk).values())
    files = {c.pk: (c.pdf.name, c.pdf_sha256) for c in (mine, theirs)}

    assert services.certificates_erase_for_user(user=instructor) == 2

    generic = f"{settings.PLATFORM_NAME} instructor"
    for certificate in (mine, theirs):
        certificate.refresh_from_db()
        assert certificate.instructor_name == generic
        assert (certificate.pdf.name, certificate.pdf_sha256) == files[certificate.pk]  # not reprinted
        assert not certificate.name_withheld and certificate.student_name
    assert list(mine.revisions.values_list("instructor_name", flat=True)) == [generic]
    assert list(Certificate.objects.filter(pk=elsewhere.pk).values()) == elsewhere_before
    assert services.certificates_erase_for_user(user=instructor) == 0

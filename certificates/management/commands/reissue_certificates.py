import time

from django.core.management.base import CommandError

from certificates.models import Certificate, CertificateStatus
from certificates.services import certificate_printed_names, certificate_reissue
from lms.commands import OperatorCommand, add_dry_run_argument, add_progress_argument, progress_for


class Command(OperatorCommand):
    help = (
        "Re-issue certificates for one course or every course: a new PDF with today's names under the\n"
        "same verification code, as a new version (the old version and its PDF are kept). Certificates\n"
        "whose holder's name is withheld (an erased account) are left out."
    )
    epilog = """
examples:
  manage.py reissue_certificates --course 42 --dry-run    list them and the names that would change
  manage.py reissue_certificates --course 42
  manage.py reissue_certificates --all --include-revoked --progress
"""

    def add_arguments(self, parser):
        scope = parser.add_mutually_exclusive_group(required=True)
        scope.add_argument("--course", type=int, metavar="ID", help="Only this course's certificates.")
        scope.add_argument("--all", action="store_true", help="Every course's certificates.")
        parser.add_argument(
            "--include-revoked",
            action="store_true",
            help="Re-print revoked certificates too (they stay revoked).",
        )
        add_dry_run_argument(parser, "which certificates would be re-issued, with the names that would change,")
        add_progress_argument(parser)

    def handle(self, *args, course, all, include_revoked, dry_run, progress, **options):
        # A certificate whose holder's name is withheld (their account was erased) is never printed again.
        queryset = Certificate.objects.filter(name_withheld_at__isnull=True).order_by("pk")
        if course is not None:
            queryset = queryset.filter(course_id=course)
        if not include_revoked:
            queryset = queryset.filter(status=CertificateStatus.ISSUED)
        ids = list(queryset.values_list("pk", flat=True))
        if course is not None and not ids:
            raise CommandError(f"No certificates to re-issue for course {course}.")
        if dry_run:
            self._report(queryset)
            return
        started = time.monotonic()
        with progress_for(self, len(ids), label="Re-issuing", force=progress) as bar:
            for pk in ids:
                # The operator acts as the platform: actor None.
                certificate_reissue(actor=None, certificate=Certificate.objects.get(pk=pk))
                bar.advance()
        elapsed = time.monotonic() - started
        self.stdout.write(f"Re-issued {len(ids)} certificate(s) in {elapsed:.1f} s.")

    def _report(self, queryset) -> None:
        certificates = queryset.select_related("enrollment__student", "enrollment__course__instructor")
        count = 0
        for certificate in certificates.iterator(chunk_size=500):
            count += 1
            changes = [
                f"{field}: {getattr(certificate, field)!r} -> {value!r}"
                for field, value in certificate_printed_names(
                    certificate.enrollment, language=certificate.language
                ).items()
                if getattr(certificate, field) != value
            ]
            self.stdout.write(
                f"  {certificate.verification_code}  course {certificate.course_id}  "
                f"v{certificate.version} -> v{certificate.version + 1}  {certificate.status}  "
                + ("; ".join(changes) if changes else "names unchanged")
            )
        self.stdout.write(f"Dry run: would re-issue {count} certificate(s). Nothing was changed.")

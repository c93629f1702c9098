import sys
import time

from django.core.management.base import BaseCommand, CommandError

from certificates.models import Certificate, CertificateStatus
from certificates.services import certificate_reissue


class Command(BaseCommand):
    help = "Re-issue certificates (new PDF with current names, old version kept) for a course or every course."

    def add_arguments(self, parser):
        scope = parser.add_mutually_exclusive_group(required=True)
        scope.add_argument("--course", type=int, metavar="ID", help="Only this course's certificates.")
        scope.add_argument("--all", action="store_true", help="Every course's certificates.")
        parser.add_argument("--include-revoked", action="store_true")

    def handle(self, *args, course, all, include_revoked, **options):
        queryset = Certificate.objects.order_by("pk")
        if course is not None:
            queryset = queryset.filter(course_id=course)
        if not include_revoked:
            queryset = queryset.filter(status=CertificateStatus.ISSUED)
        ids = list(queryset.values_list("pk", flat=True))
        if course is not None and not ids:
            raise CommandError(f"No certificates to re-issue for course {course}.")
        started = time.monotonic()
        for done, pk in enumerate(ids, start=1):
            certificate_reissue(certificate=Certificate.objects.get(pk=pk))
            self._progress(done, len(ids))
        elapsed = time.monotonic() - started
        self.stdout.write(f"\nRe-issued {len(ids)} certificate(s) in {elapsed:.1f} s.")

    def _progress(self, done: int, total: int) -> None:
        width = 30
        filled = width * done // total
        line = f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}"
        self.stdout.write(line, ending="")
        if sys.stdout.isatty():
            self.stdout.flush()

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from lms.commands import OperatorCommand, add_output_argument, write_output
from reports import selectors
from reports.api.renderers import ReportCSVRenderer
from reports.api.serializers import ReportQuerySerializer, TimeSeriesReportSerializer
from reports.periods import INTERVALS


def report_csv(*, name: str, start: datetime.date, end: datetime.date, interval: str, currency: str) -> bytes:
    """The report as the admin API's `?format=csv` download: same report, same serializer, same
    renderer, so the two files are byte for byte the same."""
    report = selectors.report_build(name=name, start=start, end=end, interval=interval, currency=currency)
    return ReportCSVRenderer().render(TimeSeriesReportSerializer(report).data)


class Command(OperatorCommand):
    help = (
        "Write a time-series report as CSV (period,value), exactly as the admin API's CSV download\n"
        "(GET /api/v1/admin/reports/<name>/?format=csv). Dates are inclusive and in UTC.\n"
        f"Reports: {', '.join(sorted(selectors.REPORTS))}."
    )
    epilog = """
examples:
  manage.py export_report signups --from 2025-01-01 --to 2025-03-31 --interval week
  manage.py export_report revenue --from 2025-01-01 --to 2025-12-31 --interval month --currency EUR \\
      --output revenue-2025.csv
  manage.py export_report active-users > active-users-last-30-days.csv
"""

    def add_arguments(self, parser):
        parser.add_argument("name", metavar="NAME", help=f"The report: {', '.join(sorted(selectors.REPORTS))}.")
        parser.add_argument(
            "--from",
            dest="start",
            metavar="YYYY-MM-DD",
            help="First day, inclusive (default: 29 days before --to).",
        )
        parser.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help="Last day, inclusive (default: today, UTC).")
        parser.add_argument(
            "--interval",
            default="day",
            metavar="day|week|month",
            help="Bucket size; weeks start on Monday (default: day).",
        )
        parser.add_argument(
            "--currency",
            metavar="CODE",
            help="revenue: orders in this currency (default: DEFAULT_CURRENCY). Ignored by the other reports.",
        )
        add_output_argument(parser, "the CSV")

    def handle(self, *args, name, start, end, interval, currency, output, **options):
        if name not in selectors.REPORTS:
            raise CommandError(f"Unknown report {name!r}. Choose one of: {', '.join(sorted(selectors.REPORTS))}.")
        if interval not in INTERVALS:
            raise CommandError(f"--interval must be one of {', '.join(INTERVALS)}, not {interval!r}.")
        query = {"interval": interval}
        for key, value in (("from", start), ("to", end), ("currency", currency)):
            if value is not None:
                query[key] = value
        serializer = ReportQuerySerializer(data=query)
        if not serializer.is_valid():
            problems = "; ".join(
                f"--{field}: {' '.join(str(m) for m in messages)}" for field, messages in serializer.errors.items()
            )
            raise CommandError(f"Bad arguments: {problems}")
        data = serializer.validated_data
        try:
            start_day, end_day = selectors.report_range(start=data.get("from"), end=data.get("to"), interval=interval)
        except ValidationError as exc:
            problems = " ".join(message for messages in exc.message_dict.values() for message in messages)
            raise CommandError(problems.replace("`from`", "--from").replace("`to`", "--to")) from exc
        body = report_csv(
            name=name,
            start=start_day,
            end=end_day,
            interval=interval,
            currency=(data.get("currency") or settings.DEFAULT_CURRENCY).upper(),
        )
        write_output(self, body, output, charset=ReportCSVRenderer.charset)
        if output == "-":
            return
        rows = body.count(b"\n") - 1
        self.stdout.write(f"Wrote {rows} row(s) of {name} to {output}.")

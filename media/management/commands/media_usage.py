import csv
import json

from lms.commands import OperatorCommand, add_count_argument, require_at_least_one

from ...models import UploadPurpose
from ...rules import describe_size
from ...selectors import storage_usage


class Command(OperatorCommand):
    help = (
        "Storage used per user (instructors by default), largest first: files, bytes used against the\n"
        "quota, and bytes per purpose. Counts checked uploads and uploads still open (as the quota does)."
    )
    epilog = """
examples:
  manage.py media_usage                      # instructors, as a table
  manage.py media_usage --all --limit 20     # the 20 largest users of any role
  manage.py media_usage --format csv > usage.csv
"""

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Every role, not only instructors.")
        add_count_argument(parser, "--limit", default=None, help="Show the N largest users only.")
        parser.add_argument("--format", choices=("table", "csv", "json"), default="table")

    def handle(self, *args, all=False, limit=None, format="table", **options):
        require_at_least_one(limit=limit)
        rows = storage_usage(roles=None if all else ["instructor"], limit=limit)
        purposes = [f"bytes_{p}" for p in UploadPurpose.values]
        if format == "json":
            self.stdout.write(json.dumps(rows, indent=2))
        elif format == "csv":
            writer = csv.writer(self.stdout)
            writer.writerow(["email", "role", "files", "used_bytes", "quota_bytes", *purposes])
            for row in rows:
                writer.writerow([row[k] for k in ("email", "role", "files", "used_bytes", "quota_bytes", *purposes)])
        else:
            if not rows:
                self.stdout.write("Nobody has stored any files.")
                return
            width = max(len(row["email"]) for row in rows)
            self.stdout.write(f"{'user':<{width}}  {'role':<10} {'files':>6} {'used':>10} {'quota':>10} {'%':>5}")
            for row in rows:
                percent = 100 * row["used_bytes"] / row["quota_bytes"] if row["quota_bytes"] else 100
                self.stdout.write(
                    f"{row['email']:<{width}}  {row['role']:<10} {row['files']:>6} "
                    f"{describe_size(row['used_bytes']):>10} {describe_size(row['quota_bytes']):>10} {percent:>5.1f}"
                )
            total = sum(row["used_bytes"] for row in rows)
            self.stdout.write(f"{len(rows)} user(s), {describe_size(total)} in all.")

import csv
import io

from django.core.management.base import CommandError

from courses.models import Course
from gradebook.api.renderers import GradebookCSVRenderer
from gradebook.export import gradebook_table
from lms.commands import OperatorCommand, add_output_argument, write_output


class Command(OperatorCommand):
    help = (
        "Write a course's gradebook as CSV, exactly as the API's download\n"
        "(GET /api/v1/courses/<id>/gradebook/?format=csv): one row per active student, a column per\n"
        "quiz and assignment, the category percents, the weighted percent, the letter and pass or fail."
    )
    epilog = """
examples:
  manage.py export_gradebook 12 > gradebook.csv
  manage.py export_gradebook intro-to-http --output gradebook-intro-to-http.csv
"""

    def add_arguments(self, parser):
        parser.add_argument("course", metavar="COURSE", help="The course's id or slug.")
        add_output_argument(parser, "the CSV")

    def handle(self, *args, course, output, **options):
        found = None
        if course.isascii() and course.isdigit() and len(course) < 19:  # an id (a bigint)
            found = Course.objects.filter(pk=int(course)).first()
        if found is None:  # a slug, which may be all digits too (a course called "2024")
            found = Course.objects.filter(slug=course).first()
        if found is None:
            raise CommandError(f"No course with id or slug {course!r}.")
        body = GradebookCSVRenderer().render(gradebook_table(found))
        write_output(self, body, output, charset=GradebookCSVRenderer.charset)
        if output != "-":
            rows = len(list(csv.reader(io.StringIO(body.decode(GradebookCSVRenderer.charset))))) - 1
            self.stdout.write(f"Wrote {rows} student row(s) of {found.title} to {output}.")

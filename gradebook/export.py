"""The gradebook as a table: the API's `?format=csv` and `manage.py export_gradebook` both write
this through gradebook.api.renderers.GradebookCSVRenderer, so their files are byte for byte the same."""

from collections.abc import Iterator

from courses.models import Course

from .selectors import CATEGORIES, item_list_for_course, row_iter, scheme_get


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def gradebook_table(course: Course) -> dict:
    """{filename, header, rows}: one row per active student, computed 500 students at a time (the
    renderer writes the file in memory: about 200 bytes a student). Each item's column names its id
    and points; empty cells are scores not there yet. The header and the yes/no cells are stable
    English keys, never translated: the API answers in the request's language and the command in
    LANGUAGE_CODE, and both must write the same file (spreadsheets and scripts key on the names)."""
    scheme = scheme_get(course)
    items = item_list_for_course(course)
    header = [
        "student_id",
        "last_name",
        "first_name",
        *(f"{item.title} ({item.id}, {item.points} pts)" for item in items),
        *(f"{category}_percent" for category in CATEGORIES.values()),
        "percent",
        "letter",
        "passed",
    ]

    def rows() -> Iterator[list[str]]:
        for row in row_iter(course, items=items, scheme=scheme):
            yield [
                str(row.student.pk),
                row.student.last_name,
                row.student.first_name,
                *(_cell(row.scores[item.id]) for item in items),
                *(_cell(row.categories[category]) for category in CATEGORIES.values()),
                _cell(row.percent),
                _cell(row.letter),
                _cell(row.passed),
            ]

    return {"filename": f"gradebook-{course.slug}.csv", "header": header, "rows": rows()}

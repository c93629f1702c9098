"""Privacy end to end (README "Privacy", issue 25): a person with data in every app (world.py) is
exported, and the zip is checked member by member; then erased, and every text column of every table
is scanned for their name, e-mail and client address; everyone else's rows are untouched (exact row
counts, same texts), the stored counters still equal what they count, a second erasure changes
nothing, and an erased instructor's course stays readable under "Deleted user"."""

import io
import json
import zipfile

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models

from conftest import client_for
from lms.counters import counters, counters_drift
from media import storage
from privacy import registry
from privacy import services as privacy
from privacy.models import DataExport, ErasureStatus, ExportStatus

from .world import (
    Holdings,
    bystander_fixture,  # noqa: F401 (a fixture)
    instructor_world_fixture,  # noqa: F401 (a fixture)
    media_files,
    mentions,
    owned_rows,
    person_fixture,  # noqa: F401 (a fixture)
    scan,
    snapshot,
    stored_bytes,
    world_fixture,  # noqa: F401 (a fixture)
)

pytestmark = [pytest.mark.django_db]

DELETED_USER = "Deleted user"

# Columns where a person's name, e-mail or address may stay after their erasure, each with the reason
# (the table documents a kept pseudonym): {(model label, field name): why}. There should be none.
ALLOWED: dict[tuple[str, str], str] = {}

# Rows that are not the person's (nor about them) which erasure may nevertheless delete or change,
# with the reason: {model label: why}.
MAY_CHANGE: dict[str, str] = {
    "notifications.NotificationWithdrawal": "the record of text taken back from other people's notifications that "
    "named the person (forum replies): the erasure writes it, keyed by the item's id",
    "assignments.SubmissionArchive": "a zip of every submission to an assignment the person submitted to holds "
    "their work: it is deleted with its file (assignments' policy; staff ask for a new one)",
}

# User-linked models the world gives the person no row in, and why.
NOT_IN_THE_WORLD: dict[str, str] = {
    "privacy.DataExport": "made by the export and erasure tests themselves",
    "privacy.ErasureRequest": "made by the erasure",
    "forum.ModerationLog": "the person moderates nothing (the instructor's decisions on their reports are "
    "linked to them through the report)",
    "notifications.Announcement": "written by instructors (the instructor case)",
    "webhooks.Endpoint": "made by administrators (the person is a student)",
    "assignments.SubmissionArchive": "asked for by staff",
    "gradebook.CourseGrading": "set by staff",
    "token_blacklist.BlacklistedToken": "no user column: linked through the outstanding token",
    "admin.LogEntry": "the person is not staff; the admin's entry about them (made: object_repr is their "
    "e-mail) points at them by object id only",
    "accounts.InstructorProfile": "the person is a student: the instructor case has one",
    "courses.Course": "the person is a student: the instructor case teaches one",
}


# --- helpers --------------------------------------------------------------------------------------
def export_zip(user, capture) -> zipfile.ZipFile:
    with capture(execute=True):
        export = privacy.data_export_request(actor=None, user=user)
    export.refresh_from_db()
    assert export.status == ExportStatus.READY, export.error
    return zipfile.ZipFile(io.BytesIO(stored_bytes(export.key)))


def erase(world, who: Holdings, capture):
    """An administrator erases `who` at once; the job runs (on-commit callbacks executed)."""
    with capture(execute=True):
        erasure = privacy.erasure_now(actor=world.admin, user=who.user)
    erasure.refresh_from_db()
    assert erasure.status == ErasureStatus.DONE, f"erasure stopped after {erasure.steps_done}"
    who.refresh()
    return erasure


def leaves(data) -> set[str]:
    """Every scalar in a JSON document, as text."""
    found = set()
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif item is not None:
            found.add(str(item))
    return found


def expected_in_export(world, who: Holdings) -> dict[str, dict[str, object]]:
    """Per exporter: what of `who`'s must be in its file (a text: found in it; an id: one of its values)."""
    o, rows = who.objects, who.rows
    return {
        "accounts": {
            "e-mail": who.email,
            "first name": who.first_name,
            "last name": who.last_name,
        },
        "courses": {
            **{f"enrollment {pk}": pk for pk in rows["courses.Enrollment"]},
            **{f"completed lesson {pk}": pk for pk in world.course.lessons.values_list("pk", flat=True)},
        },
        "quizzes": {"attempt": o.attempt.pk, "typed answer": who.markers["quiz answer"], "numeric answer": "42"},
        "assignments": {
            "submission": o.submission.pk,
            "text": who.markers["submission text"],
            "url": who.markers["submission url"],
            "grade": rows["assignments.Grade"][0],
        },
        "forum": {
            "post": o.post.pk,
            "post body": who.markers["post body"],
            "comment": o.comment.pk,
            "comment body": who.markers["comment body"],
            "report reason": who.markers["report reason"],
            "vote (the post voted for)": o.comment.post_id,
        },
        "reviews": {"review": o.review.pk, "review comment": who.markers["review comment"]},
        "payments": {"order": str(o.order.pk)},
        "certificates": {"verification code": who.markers["certificate code"]},
        "notifications": {
            **{f"notification {pk}": pk for pk in rows["notifications.Notification"]},
            "preference": "forum_reply",
        },
        "activity": {f"event {pk}": pk for pk in rows["activity.ActivityEvent"]},
        "media": {
            "avatar upload": who.markers["avatar upload id"],
            "essay upload": who.markers["submission file upload id"],
        },
        "schedules": {"cohort": world.cohort.pk, "live session attended": world.session.pk},
        "gradebook": {"course graded": world.course.pk},
        "sso": {"identity at a provider": who.markers["sso subject"]},
    }


def not_in_export(who: Holdings) -> dict[str, str]:
    """`who`'s texts that no one else's export may hold (their name is left out: it reaches others'
    notifications, "X replied to your post", which their owner's export rightly holds)."""
    return {
        "e-mail": who.email,
        "post body": who.markers["post body"],
        "typed answer": who.markers["quiz answer"],
        "submission text": who.markers["submission text"],
        "submission url": who.markers["submission url"],
        "review comment": who.markers["review comment"],
        "report reason": who.markers["report reason"],
        "certificate code": who.markers["certificate code"],
        "order": who.markers["order id"],
        "avatar upload": who.markers["avatar upload id"],
        "essay upload": who.markers["submission file upload id"],
    }


def fields_that_may_move() -> dict[str, set[str]]:
    """Per model, the fields erasure may change on anyone's row: stored counters (lms.counters: a
    vote or a review taken away moves them) and auto_now timestamps."""
    skip: dict[str, set[str]] = {}
    for counter in counters():
        skip.setdefault(counter.label, set()).update(counter.model._meta.get_field(f).attname for f in counter.fields)
    for model in apps.get_models(include_auto_created=True):
        for f in model._meta.concrete_fields:
            if isinstance(f, models.DateTimeField | models.DateField) and getattr(f, "auto_now", False):
                skip.setdefault(model._meta.label, set()).add(f.attname)
    return skip


def describe_leaks(leaks) -> str:
    by_column: dict[str, list] = {}
    for leak in leaks:
        by_column.setdefault(f"{leak.table}.{leak.column} ({leak.model})", []).append(leak)
    lines = []
    for column, found in sorted(by_column.items()):
        rows = sorted({leak.pk for leak in found}, key=str)
        whats = sorted({leak.what for leak in found})
        lines.append(f"{column}: row(s) {rows} hold the {', '.join(whats)}, e.g. {found[0].excerpt!r}")
    return "\n".join(lines)


# --- the world ------------------------------------------------------------------------------------
def test_the_person_has_data_in_every_app(person, bystander):
    """Every model that points at a user holds a row of the person's (else the world says why not),
    so the export and the scan below cover every app."""
    mine = owned_rows(person.user.pk)
    user_model = get_user_model()
    missing = []
    for model in registry.user_linked_models():
        label = model._meta.label
        if label in NOT_IN_THE_WORLD:
            continue
        direct = [f.attname for f in model._meta.concrete_fields if f.is_relation and f.related_model is user_model]
        if not any(model._base_manager.filter(**{a: person.user.pk}).exists() for a in direct) and not mine.get(label):
            missing.append(label)
    assert missing == [], f"the world gives the person no row in {missing}"
    assert person.keys and bystander.keys


# --- export ---------------------------------------------------------------------------------------
def test_the_export_holds_everything_about_the_person_and_nothing_of_the_bystander(
    world, person, bystander, django_capture_on_commit_callbacks
):
    archive = export_zip(person.user, django_capture_on_commit_callbacks)
    names = set(archive.namelist())
    problems = []

    # One JSON file per registered exporter, each listed (with its fields) in README.txt.
    readme = archive.read("README.txt").decode()
    documents = {}
    for exporter in registry.exporters():
        member = f"{exporter.name}.json"
        if member not in names:
            problems.append(f"{member} is missing from the zip")
            continue
        documents[exporter.name] = json.loads(archive.read(member))
        if member not in readme:
            problems.append(f"README.txt does not list {member}")
        for field in exporter.describe:
            if field not in readme:
                problems.append(f"README.txt does not explain {exporter.name}: {field}")

    # Each holds the person's rows.
    for name, wanted in expected_in_export(world, person).items():
        if name not in documents:
            problems.append(f"no exporter named {name!r} is registered (expected: {', '.join(wanted)})")
            continue
        text = json.dumps(documents[name], ensure_ascii=False, default=str)
        values = leaves(documents[name])
        for what, value in wanted.items():
            found = value in text if isinstance(value, str) and len(value) > 6 else str(value) in values
            if not found:
                problems.append(f"{name}.json lacks the person's {what} ({value!r})")

    # None holds the bystander's.
    everything = {member: archive.read(member) for member in names}
    for member, content in everything.items():
        if member.startswith("files/"):
            continue
        text = content.decode()
        for what, value in not_in_export(bystander).items():
            if value.lower() in text.lower():
                problems.append(f"{member} holds the bystander's {what} ({value!r})")

    # files/ holds the avatar, the submitted file and the certificate's PDF; none of the bystander's.
    files = {member: content for member, content in everything.items() if member.startswith("files/")}
    for what, content in person.files.items():
        if content not in files.values():
            problems.append(f"files/ lacks the person's {what} (members: {sorted(files)})")
    for what, content in bystander.files.items():
        if content in files.values():
            problems.append(f"files/ holds the bystander's {what}")

    assert problems == [], "\n".join(problems)


# --- erasure --------------------------------------------------------------------------------------
def test_an_erased_person_leaves_no_trace(world, person, django_capture_on_commit_callbacks):
    """After the erasure no text column of any table holds the person's name, e-mail or address
    (except ALLOWED), and their files are gone from storage (avatar and its derived files, submitted
    file, certificate PDF); no file left in storage is named after them or holds their name."""
    before = scan(person.needles)
    assert before, "the scan finds nothing even before the erasure: it does not work"

    erase(world, person, django_capture_on_commit_callbacks)

    user = person.user
    assert user.full_name == DELETED_USER and not user.is_active and not user.has_usable_password()
    leaks = scan(person.needles, allowed=ALLOWED)
    still_stored = [key for key in person.keys if storage.exists(key)]
    files = media_files()
    named = [path for path in files if any(n in path.lower() for n in person.needles.values())]
    holding = [
        path for path, content in files.items() if any(n.encode() in content.lower() for n in person.needles.values())
    ]
    assert (leaks, still_stored, named, holding) == ([], [], [], []), (
        f"the person's data is still stored after their erasure:\n{describe_leaks(leaks)}\n"
        f"files still stored: {still_stored}\nfiles named after them: {named}\nfiles holding their name: {holding}"
    )


def test_the_person_s_exports_go_with_them(world, person, django_capture_on_commit_callbacks):
    export_zip(person.user, django_capture_on_commit_callbacks)
    keys = list(DataExport.objects.filter(user=person.user).values_list("key", flat=True))
    assert keys and all(storage.exists(key) for key in keys)

    erase(world, person, django_capture_on_commit_callbacks)

    assert not DataExport.objects.filter(user=person.user).exists()
    assert [key for key in keys if storage.exists(key)] == []


def test_the_person_s_forum_post_stays_as_deleted_user(world, person, bystander, django_capture_on_commit_callbacks):
    erase(world, person, django_capture_on_commit_callbacks)

    response = client_for(bystander.user).get(f"/api/v1/forum/posts/{person.objects.post.pk}/")

    assert response.status_code == 200, response.content
    assert response.json()["author"]["full_name"] == DELETED_USER
    # The bystander's comment on it is still there, as they wrote it.
    comment = type(bystander.objects.comment).objects.get(pk=bystander.objects.comment.pk)
    assert comment.body == bystander.markers["comment body"]


def test_everyone_else_is_untouched(world, person, bystander, django_capture_on_commit_callbacks):
    """Rows that are not the person's (nor about them) are all still there, unchanged but for stored
    counters and auto_now timestamps; rows erasure added are the person's; the bystander has exactly
    the rows they had, per model; every stored counter equals what it counts."""
    assert list(counters_drift()) == []
    before = snapshot()
    mine = owned_rows(person.user.pk)
    about = mentions(person.needles)
    theirs = owned_rows(bystander.user.pk)

    erase(world, person, django_capture_on_commit_callbacks)

    after = snapshot()
    mine_after = owned_rows(person.user.pk)
    theirs_after = owned_rows(bystander.user.pk)
    skip = fields_that_may_move()
    problems = []
    others = sum(len(set(rows) - mine.get(label, set())) for label, rows in before.items())
    assert others > 300 and len(theirs) > 20, "the check would look at next to nothing"
    for label, rows in before.items():
        if label in MAY_CHANGE:
            continue
        for pk, row in rows.items():
            if pk in mine.get(label, ()):
                continue
            now = after[label].get(pk)
            if now is None:
                what = "about the person" if pk in about.get(label, ()) else "not the person's"
                problems.append(f"{label} {pk} ({what}) was deleted")
                continue
            if pk in about.get(label, ()):
                continue  # rewritten as erasure sees fit: the scan checks the result
            changed = {f: (v, now[f]) for f, v in row.items() if f not in skip.get(label, ()) and now[f] != v}
            if changed:
                problems.append(f"{label} {pk} changed: {changed}")
        added = set(after[label]) - set(rows)
        strangers = sorted(pk for pk in added if pk not in mine_after.get(label, ()))
        if strangers:
            problems.append(f"{label}: erasure added rows that are not the person's: {strangers}")
    for label in sorted(set(theirs) | set(theirs_after)):
        was = len(theirs.get(label, set()) - mine.get(label, set()))
        now = len(theirs_after.get(label, set()) - mine_after.get(label, set()))
        if was != now:
            problems.append(f"the bystander had {was} row(s) of {label}, now {now}")
    drift = [str(d) for d in counters_drift()]
    if drift:
        problems.append(f"stored counters drifted: {drift}")
    assert problems == [], "\n".join(problems)
    # Their files are all still there.
    assert [key for key in bystander.keys if not storage.exists(key)] == []


def test_a_second_erasure_changes_nothing(world, person, django_capture_on_commit_callbacks):
    erasure = erase(world, person, django_capture_on_commit_callbacks)
    before, files = snapshot(), set(media_files())

    with django_capture_on_commit_callbacks(execute=True):
        for eraser in registry.erasers():
            eraser.erase(get_user_model().objects.get(pk=person.user.pk))
    assert privacy.erasure_run(erasure_id=erasure.pk) is None  # done: nothing more to do

    after = snapshot()
    changes = []
    for label, rows in before.items():
        for pk in set(rows) | set(after[label]):
            if rows.get(pk) != after[label].get(pk):
                changes.append(f"{label} {pk}: {rows.get(pk)} -> {after[label].get(pk)}")
    assert changes == [], "\n".join(changes)
    assert set(media_files()) == files


# --- an instructor --------------------------------------------------------------------------------
def test_an_erased_instructor_s_course_stays_readable(
    instructor_world, anon_client, django_capture_on_commit_callbacks
):
    w = instructor_world
    erase(w, w.instructor, django_capture_on_commit_callbacks)

    response = anon_client.get(f"/api/v1/courses/{w.course.pk}/")

    assert response.status_code == 200, response.content
    shown = response.json()["instructor"]
    assert shown["full_name"] == DELETED_USER
    assert w.instructor.first_name not in json.dumps(response.json())
    # Their answer in a student's thread and their own thread stay too, under "Deleted user".
    student = client_for(w.student)
    thread = student.get(f"/api/v1/forum/posts/{w.own_post.pk}/")
    assert thread.status_code == 200, thread.content
    assert thread.json()["author"]["full_name"] == DELETED_USER
    # The student's certificate still verifies.
    assert type(w.certificate).objects.get(pk=w.certificate.pk).status == "issued"


def test_an_erased_instructor_leaves_no_trace(instructor_world, django_capture_on_commit_callbacks):
    w = instructor_world
    keys = list(w.instructor.keys)
    erase(w, w.instructor, django_capture_on_commit_callbacks)

    leaks = scan(w.instructor.needles, allowed=ALLOWED)
    still_stored = [key for key in keys if storage.exists(key)]
    assert (leaks, still_stored) == ([], []), (
        f"the instructor's data is still stored after their erasure:\n{describe_leaks(leaks)}\n"
        f"files still stored: {still_stored}"
    )

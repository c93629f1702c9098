"""A course's `language` is an ISO 639-1 code (courses.languages): the API, the admin and the
services take any case and store lower case ("EN" -> "en"), and refuse anything else ("eng", "xx",
"english", "pt-BR") with a 400 on `language`. Stored values from before are repaired by migration
0007."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from courses import services
from courses.admin import CourseForm
from courses.languages import ISO_639_1, validate_language
from courses.models import Course
from courses.tests.api.helpers import COURSES, course_url, create_body
from courses.tests.factories import CategoryFactory, CourseFactory
from lms.errors import InvalidInput

pytestmark = pytest.mark.django_db

REFUSED = ["eng", "xx", "english", "English!", "pt-BR", "en-US", "e", "", "zz", "iw", "sh"]


@pytest.fixture
def category():
    return CategoryFactory()


# --- the list ------------------------------------------------------------------------------------
def test_the_list_holds_the_183_iso_639_1_codes():
    assert len(ISO_639_1) == 183
    assert all(len(code) == 2 and code.isascii() and code.islower() for code in ISO_639_1)
    assert {"en", "es", "fr", "ar", "pt", "zh", "ja", "sw", "yi", "he", "id"} <= ISO_639_1
    assert not {"iw", "in", "ji", "jw", "mo", "sh", "bh", "xx"} & ISO_639_1  # withdrawn or never assigned


def test_the_defaults_are_valid_codes():
    """The model's default, and so what course_create (and the demo catalog) store when none is given."""
    assert Course._meta.get_field("language").default == "en"
    validate_language(Course._meta.get_field("language").default)


# --- the API -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("sent", "stored"), [("en", "en"), ("EN", "en"), ("Fr", "fr"), (" ar ", "ar")])
def test_create_takes_a_code_in_any_case_and_stores_it_lower_case(clients, category, sent, stored):
    response = clients["instructor"].post(COURSES, create_body(category, language=sent))

    assert response.status_code == 201, response.content
    assert response.data["language"] == stored
    assert Course.objects.get(pk=response.data["id"]).language == stored


@pytest.mark.parametrize("sent", REFUSED)
def test_create_refuses_what_is_not_an_iso_639_1_code(clients, category, sent):
    response = clients["instructor"].post(COURSES, create_body(category, language=sent))

    assert response.status_code == 400
    assert list(response.json()) == ["language"]
    assert not Course.objects.exists()


def test_the_refusal_says_what_is_expected(clients, category):
    response = clients["instructor"].post(COURSES, create_body(category, language="english"))

    assert response.json() == {
        "language": ["The course language must be an ISO 639-1 code: two letters, such as en, es, fr or ar."]
    }


def test_create_without_a_language_is_english(clients, category):
    body = create_body(category)
    del body["language"]

    response = clients["instructor"].post(COURSES, body)

    assert response.status_code == 201
    assert response.data["language"] == "en"


def test_update_normalises_and_refuses_as_create(clients, category):
    course = CourseFactory(instructor=clients["instructor"].user, category=category)

    changed = clients["instructor"].patch(course_url(course.pk), {"language": "ES"})
    refused = {sent: clients["instructor"].patch(course_url(course.pk), {"language": sent}) for sent in REFUSED}

    assert changed.status_code == 200
    assert changed.data["language"] == "es"
    assert {sent: r.status_code for sent, r in refused.items()} == dict.fromkeys(REFUSED, 400)
    assert all("language" in r.json() for r in refused.values())
    course.refresh_from_db()
    assert course.language == "es"


# --- the services, the model and the admin form ---------------------------------------------------
def test_the_services_refuse_a_bad_code_too(instructor, category):
    with pytest.raises(InvalidInput) as refused:
        services.course_create(instructor=instructor, title="T", category=category, language="eng")
    assert refused.value.extra == {"field": "language"}
    assert refused.value.code == "invalid_language"

    course = services.course_create(instructor=instructor, title="T", category=category, language="FR")
    assert course.language == "fr"
    with pytest.raises(InvalidInput):
        services.course_update(actor=None, course=course, data={"language": "xx"})
    assert services.course_update(actor=None, course=course, data={"language": "De"}).language == "de"


@pytest.mark.parametrize("value", ["EN", "eng", "xx", "english", "pt-BR"])
def test_the_model_field_refuses_anything_but_a_lower_case_code(value):
    with pytest.raises(ValidationError):
        validate_language(value)
    course = CourseFactory.build(language=value)
    with pytest.raises(ValidationError) as refused:
        course.clean_fields(exclude=[f.name for f in Course._meta.fields if f.name != "language"])
    assert "language" in refused.value.message_dict


def test_the_admin_form_normalises_and_refuses(instructor, category):
    def form(language):
        return CourseForm(
            data={
                "instructor": instructor.pk,
                "category": category.pk,
                "title": "Admin course",
                "level": "all",
                "language": language,
                "price": "0.00",
                "currency": "USD",
            }
        )

    accepted = form("EN")
    refused = form("eng")

    assert accepted.is_valid(), accepted.errors
    assert accepted.cleaned_data["language"] == "en"
    assert not refused.is_valid()
    assert list(refused.errors) == ["language"]


# --- the data migration ----------------------------------------------------------------------------
def test_the_migration_repairs_or_blanks_stored_values():
    migration = importlib.import_module("courses.migrations.0007_course_language_iso_639_1")
    stored = {"en": "en", "EN": "en", "Fr": "fr", "pt-BR": "pt", "en_US": "en", "eng": "", "fil": "", "xx": ""}
    stored |= {"english": "", "English!": "", "": ""}
    courses = {value: CourseFactory() for value in stored}
    for value, course in courses.items():  # as the old rules let them be stored
        Course.objects.filter(pk=course.pk).update(language=value)

    migration.repair_languages(apps, None)

    assert {value: Course.objects.get(pk=c.pk).language for value, c in courses.items()} == stored
    assert migration.ISO_639_1 == ISO_639_1  # its copy of the list is the app's

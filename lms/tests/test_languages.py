"""Which language a reader gets (README "Languages"): the profile's `language`, else Accept-Language,
else LANGUAGE_CODE; responses say which (Content-Language) and that it depends on the header (Vary);
text made for someone else (notifications, e-mails) is in the recipient's language, not in the
language of whoever caused it. Expected texts come from the catalogs (gettext under the language),
and each is checked to differ from the English, so a missing translation fails."""

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import translation
from django.utils.translation import gettext

from accounts.models import User
from accounts.tests.factories import PASSWORD, AdminFactory, InstructorFactory, StudentFactory
from conftest import client_for
from courses.services import enrollment_create
from courses.tests.factories import PublishedCourseFactory
from lms.i18n import deferred, language_of, languages_of, render_in, supported
from notifications.models import Notification, NotificationPreference

pytestmark = pytest.mark.django_db

ME = "/api/v1/auth/me/"


def translated(language: str, message: str) -> str:
    with translation.override(language):
        text = gettext(message)
    assert text != message, f"no {language} translation of {message!r}"
    return text


def drf_unauthenticated(language: str) -> str:
    return translated(language, "Authentication credentials were not provided.")


# --- choosing the language -----------------------------------------------------------------------
@pytest.mark.parametrize("language", ["es", "fr", "ar"])
def test_accept_language_picks_the_language_of_errors(anon_client, language):
    response = anon_client.get(ME, HTTP_ACCEPT_LANGUAGE=f"{language},en;q=0.5")
    assert response.status_code == 401
    assert response.json()["detail"] == drf_unauthenticated(language)
    assert response["Content-Language"] == language
    assert "Accept-Language" in response["Vary"]


@pytest.mark.parametrize("header", [None, "de-DE,de;q=0.9", "*"])
def test_without_a_language_it_speaks_the_default(anon_client, header):
    extra = {"HTTP_ACCEPT_LANGUAGE": header} if header else {}
    response = anon_client.get(ME, **extra)
    assert response.json()["detail"] == "Authentication credentials were not provided."
    assert response["Content-Language"] == "en"


def test_a_regional_variant_gets_its_language(anon_client):
    response = anon_client.get(ME, HTTP_ACCEPT_LANGUAGE="es-MX")
    assert response["Content-Language"] == "es"
    assert response.json()["detail"] == drf_unauthenticated("es")


def test_the_profile_language_wins_over_the_header():
    client = client_for(StudentFactory(language="fr"))
    response = client.patch(ME, {"first_name": ""}, format="json", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 400
    assert response["Content-Language"] == "fr"
    assert response.json()["first_name"] == [translated("fr", "This field may not be blank.")]


def test_a_signed_in_user_without_a_profile_language_follows_the_header():
    client = client_for(StudentFactory())
    response = client.patch(ME, {"first_name": ""}, format="json", HTTP_ACCEPT_LANGUAGE="ar")
    assert response["Content-Language"] == "ar"
    assert response.json()["first_name"] == [translated("ar", "This field may not be blank.")]


def test_our_own_messages_are_translated(anon_client):
    """A message of the platform's own (not DRF's): bad credentials."""
    response = anon_client.post(
        "/api/v1/auth/login/",
        {"email": "nobody@example.com", "password": "x"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert response.status_code == 401
    assert response.json()["detail"] == translated("es", "No active account found with the given credentials.")


def test_the_language_is_set_and_shown_on_the_profile():
    user = StudentFactory()
    client = client_for(user)
    assert client.get(ME).json()["language"] == ""

    response = client.patch(ME, {"language": "ar"}, format="json")

    assert response.status_code == 200
    assert response.json()["language"] == "ar"
    assert response["Content-Language"] == "en"  # this request was read before the change
    user.refresh_from_db()
    assert user.language == "ar"
    assert client.get(ME)["Content-Language"] == "ar"
    assert client.patch(ME, {"language": ""}, format="json").json()["language"] == ""


@pytest.mark.parametrize("bad", ["xx", "de", "english", 3, None])
def test_a_language_the_platform_does_not_speak_is_refused(bad):
    user = StudentFactory(language="es")
    response = client_for(user).patch(ME, {"language": bad}, format="json")
    assert response.status_code == 400
    assert "language" in response.json()
    user.refresh_from_db()
    assert user.language == "es"


@pytest.mark.parametrize(
    "header, body, stored",
    [
        (None, {}, ""),  # nothing asked: the default, which may change, and the browser's on each request
        ("fr-CA,fr;q=0.9", {}, "fr"),  # the browser's language is remembered for what is sent later
        ("fr", {"language": "es"}, "es"),  # the body wins
        ("es", {"language": ""}, ""),
    ],
)
def test_sign_up_keeps_the_language(anon_client, header, body, stored):
    extra = {"HTTP_ACCEPT_LANGUAGE": header} if header else {}
    data = {"email": "new@example.com", "password": PASSWORD, "first_name": "Ana", "last_name": "Ruiz", **body}
    response = anon_client.post("/api/v1/auth/register/", data, format="json", **extra)
    assert response.status_code == 201, response.content
    assert response.json()["user"]["language"] == stored
    assert User.objects.get(email="new@example.com").language == stored


def test_the_admin_speaks_the_staff_members_language(client):
    client.force_login(AdminFactory(language="ar"))
    response = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert response["Content-Language"] == "ar"
    assert 'dir="rtl"' in response.content.decode()
    assert translated("ar", "Staff dashboard") in response.content.decode()


# --- text for someone else -----------------------------------------------------------------------
def test_a_notification_is_in_its_recipients_language_not_the_actors():
    instructor = InstructorFactory(language="fr")
    course = PublishedCourseFactory(instructor=instructor, title="Django")
    student = StudentFactory(first_name="Ana", last_name="Ruiz", language="ar")

    with translation.override("es"):  # the request that enrolled was in Spanish
        enrollment_create(student=student, course=course)

    to_instructor = Notification.objects.get(recipient=instructor, type="new_enrollment")
    with translation.override("fr"):
        expected = gettext("{student} enrolled in {course}").format(student="Ana Ruiz", course="Django")
    assert to_instructor.title == expected
    assert expected != "Ana Ruiz enrolled in Django"
    to_student = Notification.objects.get(recipient=student, type="enrollment_confirmed")
    with translation.override("ar"):
        assert to_student.title == gettext("You are enrolled in {course}").format(course="Django")
        assert to_student.body == gettext("Your course is ready. Start with the first lesson whenever you like.")


def test_the_email_copy_is_in_the_recipients_language(django_capture_on_commit_callbacks):
    instructor = InstructorFactory(language="es")
    NotificationPreference.objects.create(user=instructor, type="new_enrollment", in_app=True, email=True)
    english = InstructorFactory()
    NotificationPreference.objects.create(user=english, type="new_enrollment", in_app=True, email=True)
    course, other = PublishedCourseFactory(instructor=instructor), PublishedCourseFactory(instructor=english)
    student = StudentFactory(first_name="Ana", last_name="Ruiz")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        enrollment_create(student=student, course=course)
        enrollment_create(student=student, course=other)

    by_recipient = {message.to[0]: message for message in mail.outbox}
    spanish = by_recipient[instructor.email]
    with translation.override("es"):
        subject = gettext("{student} enrolled in {course}").format(student="Ana Ruiz", course=course.title)
    assert spanish.subject == subject
    # The e-mail's own words (the type of notification) are Spanish too.
    assert translated("es", "A student enrolled in your course") in spanish.alternatives[0][0]
    assert translated("es", "A student enrolled in your course") in spanish.body
    assert by_recipient[english.email].subject == f"Ana Ruiz enrolled in {other.title}"


def test_a_deferred_message_is_translated_when_the_job_runs():
    message = deferred("You are enrolled in {course}", course="Django")
    assert render_in("en", message) == "You are enrolled in Django"
    assert render_in("fr", message) == translated("fr", "You are enrolled in {course}").format(course="Django")


def test_languages_of_users():
    chosen, unset = StudentFactory(language="ar"), StudentFactory()
    assert languages_of([chosen.pk, unset.pk, 999_999]) == {chosen.pk: "ar", unset.pk: "en", 999_999: "en"}
    assert language_of(chosen) == "ar" and language_of(unset) == "en" and language_of(None) == "en"


@pytest.mark.parametrize(
    "code, expected", [("es", "es"), ("es-MX", "es"), ("fr_CA", "fr"), ("AR", "ar"), ("de", None), ("", None)]
)
def test_supported(code, expected):
    assert supported(code) == expected


@override_settings(LANGUAGE_CODE="fr")
def test_the_default_language_is_a_setting(anon_client):
    response = anon_client.get(ME)
    assert response["Content-Language"] == "fr"
    assert response.json()["detail"] == drf_unauthenticated("fr")


def test_simplejwts_own_messages_are_translated(anon_client):
    response = anon_client.get(ME, HTTP_AUTHORIZATION="Bearer not-a-token", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 401
    assert response.json()["detail"] == translated("fr", "Given token not valid for any token type")

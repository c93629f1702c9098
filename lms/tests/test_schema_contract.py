"""The schema's rules for generated clients (lms.api.schema_hooks), and the server behaviour behind
them: integer ids and page numbers, a JSON body on every error, 401 wherever a token is read, and
operation ids that say what an operation does."""

import pytest
from drf_spectacular.generators import SchemaGenerator

from courses.tests.factories import PublishedCourseFactory

METHODS = ("get", "put", "post", "patch", "delete")
FIELD_MESSAGES = {"type": "array", "items": {"type": "string"}}
STRING_PATH_PARAMETERS = {"code", "name", "provider"}  # a verification code, a report's name, an SSO provider
UUID_PATHS = ("/api/v1/orders/", "/api/v1/uploads/")  # unguessable ids, where a guess would leak data (shared/API.md)


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, item in schema["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def test_path_ids_page_and_page_size_are_integers(schema):
    for path, method, operation in operations(schema):
        for parameter in operation.get("parameters", []):
            name = parameter["name"]
            if path.startswith(UUID_PATHS) and name == "id":
                assert parameter["schema"] == {"type": "string", "format": "uuid"}, (method, path)
            elif (parameter["in"] == "path" and name not in STRING_PATH_PARAMETERS) or name in ("page", "page_size"):
                assert parameter["schema"]["type"] == "integer", (method, path, parameter)


def test_every_error_has_a_json_body(schema):
    for path, method, operation in operations(schema):
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                body = response.get("content", {}).get("application/json", {}).get("schema")
                assert body, (method, path, status)
                if status == "401":
                    assert body == {"$ref": "#/components/schemas/AuthError"}, (method, path)
                if status == "400":  # ValidationError, or one that extends it
                    component = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
                    assert component["additionalProperties"] == FIELD_MESSAGES, (method, path)


def test_every_operation_that_reads_a_token_documents_401(schema):
    for path, method, operation in operations(schema):
        if any("jwtAuth" in requirement for requirement in operation.get("security") or []):
            assert "401" in operation["responses"], (method, path)


def test_operation_ids_say_what_the_operation_does(schema):
    ids = [operation["operationId"] for _, _, operation in operations(schema)]
    assert len(ids) == len(set(ids))
    by_id = {operation["operationId"]: (path, method) for path, method, operation in operations(schema)}
    for name in ("auth_login", "lessons_complete", "courses_enroll", "attempts_submit", "courses_forum_posts_list"):
        assert name in by_id
    for path, method, operation in operations(schema):
        item = schema["paths"][path]
        if method == "post" and [m for m in METHODS if m in item] == ["post"]:
            assert not operation["operationId"].endswith("_create"), path


def test_request_components_are_named_for_what_they_are(schema):
    names = set(schema["components"]["schemas"])
    assert "CourseInput" in names
    assert not [name for name in names if name.endswith(("InputRequest", "RequestRequest"))]


def test_the_error_components(schema):
    components = schema["components"]["schemas"]
    assert components["ValidationError"]["additionalProperties"] == FIELD_MESSAGES
    assert {"detail", "code", "field"} <= set(components["ValidationError"]["properties"])
    assert "messages" in components["AuthError"]["properties"]
    assert {"price", "currency"} <= set(components["PaymentRequiredError"]["required"])


# --- the server behind the rules -------------------------------------------------------------------


@pytest.mark.django_db
def test_a_bad_token_on_a_public_read_is_a_documented_401(anon_client):
    PublishedCourseFactory()
    anon_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    response = anon_client.get("/api/v1/courses/")
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "token_not_valid"
    assert {"token_class", "token_type", "message"} <= set(body["messages"][0])


@pytest.mark.django_db
def test_nested_field_errors_are_keyed_by_their_dotted_path(clients, instructor):
    from quizzes.tests.factories import QuizFactory

    quiz = QuizFactory(course__instructor=instructor)
    question = {"type": "single_choice", "text": "Pick", "points": 1, "choices": [{"text": "", "is_correct": True}, {}]}
    response = clients["instructor"].post(f"/api/v1/quizzes/{quiz.pk}/questions/", question, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body, body
    assert all(isinstance(messages, list) and all(isinstance(m, str) for m in messages) for messages in body.values())
    assert any(key.startswith("choices.") for key in body), body


def test_a_bare_validation_error_is_detail_and_code():
    from rest_framework.exceptions import ValidationError

    from lms.api.exceptions import validation_error_body

    assert validation_error_body(ValidationError("Pick one.").detail) == {"detail": "Pick one.", "code": "invalid"}


@pytest.mark.django_db
def test_enrolling_in_a_paid_course_names_its_price(clients):
    course = PublishedCourseFactory(price="49.00")
    response = clients["student"].post(f"/api/v1/courses/{course.pk}/enroll/")
    assert response.status_code == 402
    assert response.json() == {
        "detail": "This course has a price; buy it through checkout.",
        "code": "payment_required",
        "price": "49.00",
        "currency": course.currency,
    }

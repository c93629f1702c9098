"""One `Comment` in the schema for comments and replies alike (a reply's `replies` is []), and every
comment the API renders matches it: in a thread, created, and edited."""

import pytest

from forum import services
from forum.tests.factories import comment_url, post_url
from lms.tests.openapi import component, openapi_schema, schema_errors

pytestmark = pytest.mark.django_db


def _responses(path: str, method: str) -> dict:
    return openapi_schema()["paths"][path][method]["responses"]


def test_comments_and_replies_are_one_component():
    assert "Reply" not in openapi_schema()["components"]["schemas"]
    assert component("Comment")["properties"]["replies"]["items"] == {"$ref": "#/components/schemas/Comment"}
    created = _responses("/api/v1/forum/posts/{id}/comments/", "post")["201"]["content"]["application/json"]["schema"]
    edited = _responses("/api/v1/forum/comments/{id}/", "patch")["200"]["content"]["application/json"]["schema"]
    assert created == edited == {"$ref": "#/components/schemas/Comment"}


def test_every_comment_rendered_matches_the_comment_schema(clients, post, comment, student, instructor):
    reply = clients["student"].post(post_url(post, "comments"), {"body": "Thanks!", "parent": comment.pk})
    assert reply.status_code == 201
    assert reply.json()["replies"] == []
    services.comment_create(post=post, author=instructor, body="Also see chapter 2", parent=comment)
    top = clients["instructor"].post(post_url(post, "comments"), {"body": "Pinned soon."})
    assert top.status_code == 201
    edited = clients["other_student"].patch(comment_url(comment), {"body": "Read the intro twice."})
    assert edited.status_code == 200
    assert [r["body"] for r in edited.json()["replies"]] == ["Thanks!", "Also see chapter 2"]
    thread = clients["student"].get(post_url(post, "comments")).json()["results"]

    for body in (reply.json(), top.json(), edited.json(), *thread):
        assert schema_errors(body, "Comment") == [], body
    assert schema_errors({**reply.json(), "replies": [edited.json()]}, "Comment") == []
    assert schema_errors({key: value for key, value in reply.json().items() if key != "replies"}, "Comment")

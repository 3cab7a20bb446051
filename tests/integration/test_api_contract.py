"""The API's contract at its edges: ISO 8601 only where it is documented, a broken multipart body is a 400,
401 says how to authenticate, and the OpenAPI document declares every problem a route can answer."""

from __future__ import annotations

import pytest
from django.test import Client

from caredesk.core import roles
from tests.integration.helpers import assert_problem, nothing_written


@pytest.mark.parametrize(("path", "field"), [
    ("/api/v1/tickets?updated_since=0.5", "updated_since"),
    ("/api/v1/tickets?updated_since=1700000000", "updated_since"),
    ("/api/v1/tasks?due_before=0.5", "due_before"),
    ("/api/v1/tasks?due_before=0", "due_before"),
    ("/api/v1/reports/compliance?until=0", "until"),
    ("/api/v1/reports/compliance?since=1.5", "since"),
])
def test_a_plain_number_is_not_an_iso_8601_time(make_agent, api_client_for, path, field):
    client = api_client_for(make_agent("lead", roles.TEAM_SUPERVISOR))
    assert "ISO 8601" in assert_problem(client.get(path), 422, field=field)["detail"]


@pytest.mark.parametrize("path", [
    "/api/v1/tickets?updated_since=2026-03-02T14:00:00Z",
    "/api/v1/tickets?updated_since=2026-03-02",
    "/api/v1/tickets?updated_since=2026-03-02T14:00:00%2B01:00",
    "/api/v1/tasks?due_before=2026-03-02T14:00:00",
])
def test_iso_8601_times_are_accepted(api, path):
    assert api.get(path).status_code == 200


def test_a_json_number_is_not_an_instant_either(api, ticket):
    with nothing_written():
        assert_problem(api.post(f"/api/v1/tickets/{ticket.pk}/interactions",
                                {"type": "note", "body": "x", "occurred_at": 0}, content_type="application/json"),
                       422, field="occurred_at")


@pytest.mark.parametrize("content_type", ["multipart/form-data", "multipart/form-data; boundary=",
                                          "multipart/form-data; boundary=\u00e9t\u00e9"])
def test_a_multipart_body_without_a_usable_boundary_is_a_400(api, ticket, content_type):
    with nothing_written():
        assert_problem(api.post(f"/api/v1/tickets/{ticket.pk}/attachments", b"--x\r\n\r\nhello\r\n--x--\r\n",
                                content_type=content_type), 400)


def test_401_names_the_bearer_scheme(db):
    response = Client().get("/api/v1/tickets")
    assert_problem(response, 401)
    assert response["WWW-Authenticate"] == "Bearer"


def _operations():
    from caredesk.api import api

    schema = api.get_openapi_schema()
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation, schema


@pytest.mark.parametrize(("path", "method", "operation", "schema"),
                         [pytest.param(*entry, id=f"{entry[1]} {entry[0]}") for entry in _operations()])
def test_openapi_declares_the_problems_each_route_answers(path, method, operation, schema):
    responses = {str(status): response for status, response in operation["responses"].items()}
    expected = set()
    if operation.get("security"):
        expected |= {"401", "403"}
    if "{" in path:
        expected |= {"404", "422"}
    if operation.get("parameters"):
        expected |= {"422"}
    if "requestBody" in operation:
        expected |= {"400", "413", "422"}
    if method in {"post", "put", "patch", "delete"}:
        expected |= {"409"}
    declared = {str(status) for status in responses if str(status).startswith("4")}
    assert expected <= declared, (expected - declared)
    for status in declared:
        content = responses[status]["content"]
        assert list(content) == ["application/problem+json"]
        assert content["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}
    if "401" in declared:
        assert "WWW-Authenticate" in responses["401"]["headers"]
    assert {"type", "title", "status", "detail"} <= set(schema["components"]["schemas"]["Problem"]["required"])

"""Bad input on every route: no or revoked token, missing capability, malformed or oversized bodies, NUL
characters and ids beyond a bigint. Each answers problem+json and writes nothing."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from caredesk.core import roles
from caredesk.core.actions import create_api_token, revoke_api_token
from caredesk.core.models import ApiToken
from caredesk.customers.models import Customer
from caredesk.tickets.models import Ticket
from tests.integration.helpers import assert_problem, nothing_written

BIG = 2**63

# (method, path, JSON body or "upload", capability needed)
ROUTES = [
    ("post", "/api/v1/customers", {"name": "New"}, roles.MANAGE_CUSTOMERS),
    ("get", "/api/v1/customers", None, roles.WORK_TICKETS),
    ("get", "/api/v1/customers/{customer}", None, roles.WORK_TICKETS),
    ("patch", "/api/v1/customers/{customer}", {"name": "Renamed"}, roles.MANAGE_CUSTOMERS),
    ("post", "/api/v1/customers/{customer}/contact-points", {"kind": "email", "value": "n@x.org"},
     roles.MANAGE_CUSTOMERS),
    ("delete", "/api/v1/customers/{customer}/contact-points/dana@example.com", None, roles.MANAGE_CUSTOMERS),
    ("get", "/api/v1/customers/{customer}/events", None, roles.VIEW_AUDIT),
    ("post", "/api/v1/orders", {"external_reference": "NEW-1", "customer_id": "{customer}"}, roles.MANAGE_CUSTOMERS),
    ("get", "/api/v1/orders", None, roles.WORK_TICKETS),
    ("get", "/api/v1/orders/{order}", None, roles.WORK_TICKETS),
    ("patch", "/api/v1/orders/{order}", {"status": "Done"}, roles.MANAGE_CUSTOMERS),
    ("post", "/api/v1/tickets", {"subject": "New", "description": "Details", "requester_id": "{customer}"},
     roles.WORK_TICKETS),
    ("get", "/api/v1/tickets", None, roles.WORK_TICKETS),
    ("get", "/api/v1/tickets/{ticket}", None, roles.WORK_TICKETS),
    ("patch", "/api/v1/tickets/{ticket}", {"priority": "high"}, roles.WORK_TICKETS),
    ("post", "/api/v1/tickets/{ticket}/interactions", {"type": "note", "body": "x"}, roles.WORK_TICKETS),
    ("get", "/api/v1/tickets/{ticket}/timeline", None, roles.WORK_TICKETS),
    ("get", "/api/v1/tickets/{ticket}/events", None, roles.VIEW_AUDIT),
    ("post", "/api/v1/tickets/{ticket}/assign-to-me", None, roles.WORK_TICKETS),
    ("get", "/api/v1/macros", None, roles.WORK_TICKETS),
    ("post", "/api/v1/tickets/{ticket}/attachments", "upload", roles.WORK_TICKETS),
    ("get", "/api/v1/tickets/{ticket}/attachments", None, roles.WORK_TICKETS),
    ("get", "/api/v1/attachments/{attachment}/content", None, roles.WORK_TICKETS),
    ("get", "/api/v1/lists", None, roles.WORK_TICKETS),
    ("get", "/api/v1/agents", None, roles.WORK_TICKETS),
    ("get", "/api/v1/agents/me", None, None),
    ("get", "/api/v1/canned-responses", None, roles.WORK_TICKETS),
    ("get", "/api/v1/tickets/{ticket}/escalations", None, roles.WORK_TICKETS),
    ("post", "/api/v1/escalations/{escalation}/choice", {"choice": "agreed_to_wait"}, roles.WORK_TICKETS),
    ("get", "/api/v1/escalations/mine", None, roles.WORK_TICKETS),
    ("put", "/api/v1/agents/me/presence", {"presence": "available"}, roles.WORK_TICKETS),
]
JSON_ROUTES = [route for route in ROUTES if isinstance(route[2], dict)]
ROUTE_IDS = [f"{method} {path}" for method, path, _, _ in ROUTES]
JSON_IDS = [f"{method} {path}" for method, path, _, _ in JSON_ROUTES]


@pytest.fixture
def world(customer, order, ticket, actor):
    from caredesk.tickets.actions import NewAttachment, add_supporting_document

    from caredesk.escalations.actions import record_request

    attachment = add_supporting_document(ticket, actor=actor, attachment=NewAttachment("a.txt", "text/plain", b"a"))
    escalation = record_request(ticket, agent=actor.agent)
    return {"customer": customer.pk, "order": order.pk, "ticket": ticket.pk, "attachment": attachment.pk,
            "escalation": escalation.pk}


def _fill(value, world):
    if isinstance(value, str):
        return world[value[1:-1]] if value.startswith("{") and value[1:-1] in world else value.format(**world)
    if isinstance(value, dict):
        return {key: _fill(item, world) for key, item in value.items()}
    return value


def call(client, method, path, body, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    path = path.format(**world)
    if body == "upload":
        return client.post(path, {"file": SimpleUploadedFile("b.txt", b"b", content_type="text/plain")})
    if body is None:
        return getattr(client, method)(path)
    return getattr(client, method)(path, data=json.dumps(_fill(body, world)), content_type="application/json")


@pytest.mark.parametrize(("method", "path", "body", "capability"), ROUTES, ids=ROUTE_IDS)
def test_every_route_answers_a_valid_request(api, world, method, path, body, capability):
    response = call(api, method, path, body, world)
    assert response.status_code in (200, 201), response.content


@pytest.mark.parametrize(("method", "path", "body", "capability"), ROUTES, ids=ROUTE_IDS)
@pytest.mark.parametrize("header", [None, "Bearer", "Bearer nope", "Token cdt_x", "Basic dXNlcjpwYXNz",
                                    "Bearer cdt_0123456789abcdef0123456789abcdef", "Bearer cdt_\x00\x00\x00\x00"
                                    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"])
def test_no_valid_token_is_401(world, method, path, body, capability, header):
    client = Client(HTTP_AUTHORIZATION=header) if header else Client()
    with nothing_written():
        assert_problem(call(client, method, path, body, world), 401)


@pytest.mark.parametrize(("method", "path", "body", "capability"), ROUTES, ids=ROUTE_IDS)
def test_a_revoked_token_is_401(agent, world, method, path, body, capability):
    row, token = create_api_token(agent, "old")
    revoke_api_token(row)
    with nothing_written():
        assert_problem(call(Client(HTTP_AUTHORIZATION=f"Bearer {token}"), method, path, body, world), 401)


@pytest.mark.parametrize(("method", "path", "body", "capability"),
                         [route for route in ROUTES if route[3]], ids=[i for i, r in zip(ROUTE_IDS, ROUTES) if r[3]])
def test_an_agent_with_no_role_is_403(roleless, api_client_for, world, method, path, body, capability):
    client = api_client_for(roleless)
    with nothing_written():
        assert_problem(call(client, method, path, body, world), 403)


def test_an_agent_with_no_role_still_sees_who_they_are(roleless, api_client_for):
    body = api_client_for(roleless).get("/api/v1/agents/me").json()
    assert (body["username"], body["roles"]) == ("nobody", [])


MANAGE_CUSTOMER_ROUTES = [route for route in ROUTES if route[3] == roles.MANAGE_CUSTOMERS]


@pytest.mark.parametrize(("method", "path", "body", "capability"), MANAGE_CUSTOMER_ROUTES,
                         ids=[f"{m} {p}" for m, p, _, _ in MANAGE_CUSTOMER_ROUTES])
def test_back_office_cannot_manage_customers(back_office, api_client_for, world, method, path, body, capability):
    client = api_client_for(back_office)
    with nothing_written():
        assert_problem(call(client, method, path, body, world), 403)


def test_back_office_cannot_create_a_customer_with_a_ticket(back_office, api_client_for, world):
    client = api_client_for(back_office)
    with nothing_written():
        assert_problem(client.post("/api/v1/tickets", data=json.dumps(
            {"subject": "x", "description": "d", "requester": {"name": "New", "emails": ["new@example.com"]}}),
            content_type="application/json"), 403)
    assert client.post("/api/v1/tickets", data=json.dumps({"subject": "x", "description": "d",
                                                           "requester_id": world["customer"]}),
                       content_type="application/json").status_code == 201


def test_a_deactivated_agent_token_is_401(agent, api, world):
    from caredesk.core.models import Agent

    Agent.objects.filter(pk=agent.pk).update(is_active=False)  # test setup: deactivation has no action yet
    with nothing_written():
        assert_problem(api.get("/api/v1/tickets"), 401)


@pytest.mark.parametrize(("method", "path", "body", "capability"), JSON_ROUTES, ids=JSON_IDS)
@pytest.mark.parametrize("raw", [b"{", b"{'name': 'x'}", b"\xff\xfe\x00", b"nul\x00", b"[" * 100_000,
                                 b'{"name": "x",}', b"NaN"])
def test_malformed_json_is_400(api, world, method, path, body, capability, raw):
    with nothing_written():
        response = getattr(api, method)(path.format(**world), data=raw, content_type="application/json")
        assert_problem(response, 400, "body")


@pytest.mark.parametrize(("method", "path", "body", "capability"), JSON_ROUTES, ids=JSON_IDS)
@pytest.mark.parametrize("raw", [b"[]", b'"text"', b"1", b"null", b"true", b'[{"name": "x"}]'])
def test_json_that_is_not_an_object_is_400(api, world, method, path, body, capability, raw):
    with nothing_written():
        response = getattr(api, method)(path.format(**world), data=raw, content_type="application/json")
        assert_problem(response, 400, "body")


@pytest.mark.parametrize(("method", "path", "body", "capability"), JSON_ROUTES, ids=JSON_IDS)
def test_an_empty_object_is_a_no_op_patch_or_names_a_missing_field(api, world, method, path, body, capability):
    with nothing_written():
        response = getattr(api, method)(path.format(**world), data=b"{}", content_type="application/json")
        if method == "patch":
            assert response.status_code == 200
        else:
            assert_problem(response, 422, next(iter(body)) if path != "/api/v1/tickets" else "subject")


@pytest.mark.parametrize(("method", "path", "body", "capability"), JSON_ROUTES, ids=JSON_IDS)
def test_oversized_body_is_413(api, world, settings, method, path, body, capability):
    payload = dict(_fill(body, world))
    text_field = next(key for key, value in payload.items() if isinstance(value, str))
    payload[text_field] = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    with nothing_written():
        response = getattr(api, method)(path.format(**world), data=json.dumps(payload),
                                        content_type="application/json")
        assert_problem(response, 413)


def test_oversized_upload_is_413(api, world, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.ATTACHMENT_MAX_BYTES = 10
    size = settings.ATTACHMENT_MAX_BYTES + 1024 * 1024 + 1
    with nothing_written():
        response = api.post(f"/api/v1/tickets/{world['ticket']}/attachments",
                            {"file": SimpleUploadedFile("big.bin", b"x" * size)})
        assert_problem(response, 413)


@pytest.mark.parametrize(("method", "path", "body", "capability"), JSON_ROUTES, ids=JSON_IDS)
def test_nul_characters_are_refused_naming_the_field(api, world, method, path, body, capability):
    payload = dict(_fill(body, world))
    text_field = next(key for key, value in payload.items() if isinstance(value, str))
    payload[text_field] = "a\x00b"
    with nothing_written():
        response = getattr(api, method)(path.format(**world), data=json.dumps(payload),
                                        content_type="application/json")
        assert_problem(response, 422, text_field)


@pytest.mark.parametrize(("method", "path", "body", "capability"),
                         [r for r in ROUTES if "{" in r[1]], ids=[i for i, r in zip(ROUTE_IDS, ROUTES) if "{" in r[1]])
@pytest.mark.parametrize("bad_id", [str(BIG), "99999999999999999999999999", "-1", "0", "abc", "1.5", "%00"])
def test_ids_beyond_a_bigint_or_not_ids(api, world, method, path, body, capability, bad_id):
    bad_world = {key: bad_id for key in world}
    with nothing_written():
        response = call(api, method, path, body if body is None or body == "upload" else body, bad_world | {
            "customer": bad_id} if False else bad_world)
        assert_problem(response, 422)


@pytest.mark.parametrize(("method", "path", "body", "capability"),
                         [r for r in ROUTES if "{" in r[1]], ids=[i for i, r in zip(ROUTE_IDS, ROUTES) if "{" in r[1]])
def test_ids_that_do_not_exist_are_404(api, world, method, path, body, capability):
    with nothing_written():
        response = call(api, method, path, body, {key: "987654" for key in world})
        assert_problem(response, 404)


@pytest.mark.parametrize("path", ["/api/v1/customers", "/api/v1/tickets", "/api/v1/orders"])
@pytest.mark.parametrize("cursor", ["forged", "WzBd", "Wy0xXQ", "WzkyMjMzNzIwMzY4NTQ3NzU4MDhd", "W251bGxd",
                                    "eyJpZCI6IDF9", "W1tbW1tbW1tbW11dXV1dXV1dXV0", "%00", "A" * 5000])
def test_forged_cursors_are_422(api, world, path, cursor):
    assert_problem(api.get(f"{path}?cursor={cursor}"), 422, "cursor")


@pytest.mark.parametrize(("path", "value"), [
    ("/api/v1/tickets?updated_since={}", "9999-12-31T23:59:59-14:00"),
    ("/api/v1/tickets?updated_since={}", "0001-01-01T00:00:00%2B14:00"),
])
def test_extreme_dates_in_filters(api, world, path, value):
    response = api.get(path.format(value))
    assert response.status_code in (200, 422), response.content
    if response.status_code == 422:
        assert_problem(response, 422, "updated_since")


@pytest.mark.parametrize("occurred_at", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00",
                                         "2026-03-02T14:00:00"])
def test_extreme_dates_in_bodies(api, world, occurred_at):
    response = api.post(f"/api/v1/tickets/{world['ticket']}/interactions", data=json.dumps(
        {"type": "note", "body": "x", "occurred_at": occurred_at}), content_type="application/json")
    assert response.status_code in (201, 422), response.content
    if response.status_code == 422:
        assert_problem(response, 422, "occurred_at")


@pytest.mark.parametrize(("method", "path"), [
    ("put", "/api/v1/tickets/{ticket}"), ("delete", "/api/v1/tickets/{ticket}"),
    ("delete", "/api/v1/customers/{customer}"), ("put", "/api/v1/orders/{order}"),
    ("post", "/api/v1/lists"), ("post", "/api/v1/agents/me"),
])
def test_wrong_method_is_a_405_problem(api, world, method, path):
    with nothing_written():
        response = getattr(api, method)(path.format(**world), data="{}", content_type="application/json")
        body = assert_problem(response, 405)
    assert "Allow" in response and "Allowed" in body["detail"]


@pytest.mark.parametrize("path", ["/api/v1/nothing", "/api/v1/tickets/1/nothing", "/api/v1/tickets/", "/api/v2/x"])
def test_unknown_route_is_a_404_problem(api, world, path):
    assert_problem(api.get(path), 404)


def test_tokens_are_stored_hashed(agent):
    row, token = create_api_token(agent)
    assert not ApiToken.objects.filter(digest=token).exists()
    assert token not in json.dumps(list(ApiToken.objects.values()), default=str)


@pytest.mark.parametrize("path, body", [
    ("/api/v1/tickets", {"subject": "Help", "description": "d", "requester": {"name": "A"}, "priorty": "high"}),
    ("/api/v1/customers", {"name": "A", "email": "a@example.com"}),
])
def test_an_unknown_field_is_refused_by_name_and_nothing_is_written(api, path, body):
    before = (Ticket.objects.count(), Customer.objects.count())
    response = api.post(path, body, content_type="application/json")
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    assert response.json()["field"] in {"priorty", "email"}
    assert (Ticket.objects.count(), Customer.objects.count()) == before

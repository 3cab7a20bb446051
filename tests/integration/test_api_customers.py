"""The customers, contact points and orders routes: effect and audit event of each."""

from __future__ import annotations

import json

import pytest
from django.db.models import QuerySet

from caredesk.customers.models import Customer, CustomerType, Industry, Order
from tests.integration.helpers import (
    assert_problem, customer_events_of, nothing_written, patch_json, post_json,
)


def test_create_customer(api, agent, frozen_clock):
    response = post_json(api, "/api/v1/customers", {
        "name": "Ann Lee", "emails": ["ANN@example.com"], "phones": ["(415) 555-0199"],
        "customer_type": "website_care", "importance": "key", "preferred_channel": "phone",
    })
    assert response.status_code == 201, response.content
    body = response.json()
    customer = Customer.objects.get(pk=body["id"])
    assert body["name"] == customer.name == "Ann Lee"
    assert body["emails"] == ["ann@example.com"] and body["phones"] == ["+14155550199"]
    assert body["customer_type"] == {"key": "website_care", "name": "Website Care"}
    assert (body["importance"], body["preferred_channel"]) == ("key", "phone")
    assert body["created_at"] == "2026-03-02T14:00:00Z"
    actions = [(e.actor, e.action, e.field, e.after) for e in customer_events_of(customer)]
    assert actions[0][:3] == (agent, "customer.created", "")
    assert actions[0][3]["name"] == "Ann Lee"
    assert actions[1:] == [(agent, "contact_point.added", "email", "ann@example.com"),
                           (agent, "contact_point.added", "phone", "+14155550199")]


@pytest.mark.parametrize(("payload", "status", "field"), [
    ({}, 422, "name"),
    ({"name": ""}, 422, "name"),
    ({"name": 5}, 422, "name"),
    ({"name": "A", "emails": "a@example.com"}, 422, "emails"),
    ({"name": "A", "emails": ["nope"]}, 422, "emails[0]"),
    ({"name": "A", "phones": ["12"]}, 422, "phones[0]"),
    ({"name": "A", "phones": [None]}, 422, "phones[0]"),
    ({"name": "A", "customer_type": "martian"}, 422, "customer_type"),
    ({"name": "A", "importance": "platinum"}, 422, "importance"),
    ({"name": "A", "preferred_channel": "fax"}, 422, "preferred_channel"),
    ({"name": "A", "emails": ["dana@example.com"]}, 409, "emails"),
    ({"name": "A\x00B"}, 422, "name"),
    ({"name": "x" * 251}, 422, "name"),
    ({"name": "A", "emails": ["a@example.com"] * 21}, 422, "emails"),
])
def test_create_customer_bad_input(api, customer, payload, status, field):
    with nothing_written():
        assert_problem(post_json(api, "/api/v1/customers", payload), status, field)


def test_get_and_list_customers(api, customer, agent):
    from caredesk.core.audit import Actor
    from caredesk.customers.actions import create_customer

    others = [create_customer(actor=Actor.of_agent(agent), name=f"Other {i}") for i in range(3)]
    assert api.get(f"/api/v1/customers/{customer.pk}").json()["emails"] == ["dana@example.com"]
    page = api.get("/api/v1/customers?limit=2").json()
    assert [item["id"] for item in page["items"]] == [others[2].pk, others[1].pk]
    rest = api.get(f"/api/v1/customers?limit=2&cursor={page['next_cursor']}").json()
    assert [item["id"] for item in rest["items"]] == [others[0].pk, customer.pk] and rest["next_cursor"] is None
    for query in ("search=whitf", "search=DANA@example.com", "email=Dana@Example.com", "phone=(415)%20555-0132",
                  "search=%2B14155550132"):
        assert [item["id"] for item in api.get(f"/api/v1/customers?{query}").json()["items"]] == [customer.pk], query
    assert api.get("/api/v1/customers?search=nobody").json() == {"items": [], "next_cursor": None}


@pytest.mark.parametrize(("query", "field"), [
    ("email=not-an-email", "email"), ("phone=12", "phone"), ("limit=0", "limit"), ("limit=201", "limit"),
    ("limit=x", "limit"), ("cursor=forged", "cursor"), ("search=a%00b", "search"),
])
def test_list_customers_bad_input(api, customer, query, field):
    assert_problem(api.get(f"/api/v1/customers?{query}"), 422, field)


def test_update_customer(api, customer, agent):
    response = patch_json(api, f"/api/v1/customers/{customer.pk}", {
        "name": "Dana W.", "customer_type": "homeowner", "importance": "vip", "preferred_channel": "sms"})
    assert response.status_code == 200, response.content
    assert response.json()["customer_type"]["key"] == "homeowner"
    changed = {e.field: (e.before, e.after) for e in customer_events_of(customer, action="customer.changed")}
    assert changed["name"] == ("Dana Whitfield", "Dana W.")
    assert changed["importance"] == ("standard", "vip")
    assert changed["preferred_channel"] == ("", "sms")
    assert changed["customer_type"][1]["name"] == "Homeowner"
    cleared = patch_json(api, f"/api/v1/customers/{customer.pk}", {"preferred_channel": None, "customer_type": None})
    assert cleared.status_code == 200 and cleared.json()["preferred_channel"] == ""
    assert cleared.json()["customer_type"] is None


@pytest.mark.parametrize(("payload", "status", "field"), [
    ({"importance": None}, 422, "importance"),
    ({"importance": "gold"}, 422, "importance"),
    ({"customer_type": "martian"}, 422, "customer_type"),
    ({"name": ["x"]}, 422, "name"),
    ({"name": "  "}, 422, "name"),
])
def test_update_customer_bad_input(api, customer, payload, status, field):
    with nothing_written():
        assert_problem(patch_json(api, f"/api/v1/customers/{customer.pk}", payload), status, field)
    assert Customer.objects.get(pk=customer.pk).importance == "standard"


def test_add_and_remove_contact_points(api, customer, agent):
    added = post_json(api, f"/api/v1/customers/{customer.pk}/contact-points", {"kind": "email", "value": "D@x.org"})
    assert added.status_code == 201 and added.json()["emails"] == ["dana@example.com", "d@x.org"]
    phone = post_json(api, f"/api/v1/customers/{customer.pk}/contact-points", {"kind": "phone", "value": "6502530000"})
    assert phone.json()["phones"] == ["+14155550132", "+16502530000"]
    removed = api.delete(f"/api/v1/customers/{customer.pk}/contact-points/d@x.org")
    assert removed.status_code == 200 and removed.json()["emails"] == ["dana@example.com"]
    events = [(e.actor, e.action, e.field, e.before, e.after) for e in customer_events_of(customer)[-3:]]
    assert events == [(agent, "contact_point.added", "email", None, "d@x.org"),
                      (agent, "contact_point.added", "phone", None, "+16502530000"),
                      (agent, "contact_point.removed", "email", "d@x.org", None)]


@pytest.mark.parametrize(("payload", "status", "field"), [
    ({"kind": "fax", "value": "1"}, 422, "kind"),
    ({"kind": "email"}, 422, "value"),
    ({"kind": "email", "value": "nope"}, 422, "emails[0]"),
    ({"kind": "phone", "value": "12"}, 422, "phones[0]"),
])
def test_add_contact_point_bad_input(api, customer, payload, status, field):
    with nothing_written():
        assert_problem(post_json(api, f"/api/v1/customers/{customer.pk}/contact-points", payload), status, field)


def test_contact_point_of_another_customer_is_a_conflict(api, customer, agent):
    other = post_json(api, "/api/v1/customers", {"name": "Other"}).json()
    with nothing_written():
        assert_problem(post_json(api, f"/api/v1/customers/{other['id']}/contact-points",
                                 {"kind": "email", "value": "dana@example.com"}), 409, "emails")


def test_remove_unknown_contact_point(api, customer):
    with nothing_written():
        assert_problem(api.delete(f"/api/v1/customers/{customer.pk}/contact-points/x@y.org"), 422, "value")
        assert_problem(api.delete("/api/v1/customers/999999/contact-points/x@y.org"), 404)


def test_customer_events(api, customer, agent):
    patch_json(api, f"/api/v1/customers/{customer.pk}", {"importance": "key"})
    events = api.get(f"/api/v1/customers/{customer.pk}/events").json()
    assert [e["action"] for e in events] == ["customer.created", "contact_point.added", "contact_point.added",
                                              "customer.changed"]
    assert events[-1] | {"id": 0, "at": ""} == {"id": 0, "at": "", "actor_kind": "agent", "actor_label": "maria",
                                                "action": "customer.changed", "field": "importance",
                                                "before": "standard", "after": "key",
                                                "summary": "changed the importance from Standard to Key"}


def test_create_order(api, customer, agent):
    response = post_json(api, "/api/v1/orders", {"external_reference": "EIN-1", "customer_id": customer.pk,
                                                 "industry": "ein", "status": "Processing"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["external_reference"], body["customer_id"], body["industry"], body["status"]) == (
        "EIN-1", customer.pk, {"key": "ein", "name": "EIN"}, "Processing")
    event = customer_events_of(customer, action="order.created")[0]
    assert event.actor == agent and event.order_id == body["id"] and event.after["external_reference"] == "EIN-1"


@pytest.mark.parametrize(("payload", "status", "field"), [
    ({"customer_id": 1}, 422, "external_reference"),
    ({"external_reference": "X"}, 422, "customer_id"),
    ({"external_reference": "X", "customer_id": 99999999}, 422, "customer_id"),
    ({"external_reference": "X", "customer_id": 2**63}, 422, "customer_id"),
    ({"external_reference": "X", "customer_id": "one"}, 422, "customer_id"),
    ({"external_reference": "X", "customer_id": "{customer}", "industry": "piracy"}, 422, "industry"),
    ({"external_reference": "PP-1001", "customer_id": "{customer}"}, 409, "external_reference"),
    ({"external_reference": " ", "customer_id": "{customer}"}, 422, "external_reference"),
    ({"external_reference": "X", "customer_id": "{customer}", "status": "s" * 101}, 422, "status"),
])
def test_create_order_bad_input(api, customer, order, payload, status, field):
    payload = {key: customer.pk if value == "{customer}" else value for key, value in payload.items()}
    with nothing_written():
        assert_problem(post_json(api, "/api/v1/orders", payload), status, field)


def test_a_reference_taken_by_a_concurrent_request_is_a_conflict_not_an_error(api, customer, order, monkeypatch):
    """Between create_order's check and its insert another request may take the reference: the database's
    unique constraint refuses it, and the API answers 409 with nothing written."""
    checked = QuerySet.exists
    monkeypatch.setattr(QuerySet, "exists", lambda self: False if self.model is Order else checked(self))
    with nothing_written():
        response = post_json(api, "/api/v1/orders", {"external_reference": order.external_reference,
                                                     "customer_id": customer.pk})
    assert response.status_code == 409 and response.json()["type"].endswith(":conflict"), response.content


def test_list_get_and_update_orders(api, customer, order, agent):
    from caredesk.core.audit import Actor
    from caredesk.customers.actions import create_customer, create_order

    other = create_customer(actor=Actor.of_agent(agent), name="Other")
    second = create_order(actor=Actor.of_agent(agent), customer=other, external_reference="GE-1",
                          industry=Industry.objects.get(key="global_entry"), status="Unresponsive")
    assert [o["id"] for o in api.get("/api/v1/orders").json()["items"]] == [second.pk, order.pk]
    for query, expected in (("customer_id={}".format(customer.pk), [order.pk]), ("industry=global_entry", [second.pk]),
                            ("status=Unresponsive", [second.pk]), ("limit=1", [second.pk])):
        assert [o["id"] for o in api.get(f"/api/v1/orders?{query}").json()["items"]] == expected, query
    assert api.get(f"/api/v1/orders/{order.pk}").json()["external_reference"] == "PP-1001"
    response = patch_json(api, f"/api/v1/orders/{order.pk}", {"status": "Unresponsive", "industry": "ein"})
    assert response.status_code == 200 and response.json()["industry"]["key"] == "ein"
    changed = {e.field: (e.before, e.after) for e in customer_events_of(customer, action="order.changed")}
    assert changed["status"] == ("Processing", "Unresponsive")
    assert changed["industry"][1]["name"] == "EIN"
    assert Order.objects.get(pk=order.pk).status == "Unresponsive"
    assert patch_json(api, f"/api/v1/orders/{order.pk}", {"industry": None}).json()["industry"] is None


def test_an_order_keeps_a_retired_industry_but_cannot_be_moved_to_one(api, order):
    Industry.objects.filter(key="ein").update(active=False)
    with nothing_written():
        assert_problem(patch_json(api, f"/api/v1/orders/{order.pk}", {"industry": "ein"}), 422, "industry")
    order.industry = Industry.objects.get(key="ein")
    order.save()
    response = patch_json(api, f"/api/v1/orders/{order.pk}", {"industry": "ein", "status": "Unresponsive"})
    assert response.status_code == 200 and response.json()["status"] == "Unresponsive"


@pytest.mark.parametrize(("path", "payload", "status", "field"), [
    ("/api/v1/orders/{order}", {"industry": "piracy"}, 422, "industry"),
    ("/api/v1/orders/{order}", {"status": 5}, 422, "status"),
    ("/api/v1/orders/{order}", {"status": "s" * 101}, 422, "status"),
    ("/api/v1/orders/99999999", {"status": "x"}, 404, None),
    ("/api/v1/orders/0", {"status": "x"}, 422, "order_id"),
])
def test_update_order_bad_input(api, order, path, payload, status, field):
    with nothing_written():
        assert_problem(patch_json(api, path.format(order=order.pk), payload), status, field)


@pytest.mark.parametrize("query", ["industry=piracy", "customer_id=0", "cursor=%%%"])
def test_list_orders_bad_input(api, order, query):
    assert_problem(api.get(f"/api/v1/orders?{query}"), 422, query.split("=")[0])

"""Customers, contact points and orders: each action's effect and its CustomerEvent."""

from __future__ import annotations

from datetime import timedelta

import pytest

from caredesk.core.errors import Conflict, ValidationFailed
from caredesk.customers import actions
from caredesk.customers.models import ContactPoint, Customer, CustomerType, Industry, Order
from tests.integration.helpers import customer_events_of, nothing_written


def test_create_customer_normalises_contacts_and_records_events(agent, actor, frozen_clock):
    website_care = CustomerType.objects.get(key="website_care")
    customer = actions.create_customer(
        actor=actor, name="  Ann Lee ", emails=["Ann@Example.com", "ann@example.com", "ann.work@example.org"],
        phones=["(415) 555-0132"], customer_type=website_care, importance="vip", preferred_channel="sms",
    )
    customer = Customer.objects.get(pk=customer.pk)
    assert customer.name == "Ann Lee" and customer.customer_type == website_care
    assert (customer.importance, customer.preferred_channel) == ("vip", "sms")
    assert customer.emails == ["ann@example.com", "ann.work@example.org"]
    assert customer.phones == ["+14155550132"]
    assert customer.created_at == customer.updated_at == frozen_clock.now()
    created, *points = customer_events_of(customer)
    assert (created.actor, created.action, created.field, created.before) == (agent, "customer.created", "", None)
    assert created.after == {"name": "Ann Lee", "customer_type": {"id": website_care.pk, "name": "Website Care"},
                             "importance": "vip", "preferred_channel": "sms"}
    assert [(e.action, e.field, e.before, e.after) for e in points] == [
        ("contact_point.added", "email", None, "ann@example.com"),
        ("contact_point.added", "email", None, "ann.work@example.org"),
        ("contact_point.added", "phone", None, "+14155550132"),
    ]
    assert all(e.actor == agent and e.at == frozen_clock.now() for e in points)


@pytest.mark.parametrize(("fields", "field"), [
    ({"name": ""}, "name"),
    ({"name": "   "}, "name"),
    ({"name": "x" * 201}, "name"),
    ({"name": "A", "importance": "platinum"}, "importance"),
    ({"name": "A", "importance": None}, "importance"),
    ({"name": "A", "preferred_channel": "pigeon"}, "preferred_channel"),
    ({"name": "A", "emails": ["not-an-email"]}, "emails[0]"),
    ({"name": "A", "emails": ["a@example.com", ""]}, "emails[1]"),
    ({"name": "A", "phones": ["555"]}, "phones[0]"),
    ({"name": "A", "emails": ["dana@example.com"]}, "emails"),
    ({"name": "A", "phones": ["+14155550132"]}, "phones"),
])
def test_create_customer_refuses_bad_input_and_writes_nothing(customer, actor, fields, field):
    with nothing_written():
        with pytest.raises((ValidationFailed, Conflict)) as caught:
            actions.create_customer(actor=actor, **fields)
    assert caught.value.field == field


def test_create_customer_refuses_a_retired_customer_type(customer, actor):
    homeowner = CustomerType.objects.get(key="homeowner")
    CustomerType.objects.filter(pk=homeowner.pk).update(active=False)  # configuration, done in the admin
    homeowner.refresh_from_db()
    with nothing_written():
        with pytest.raises(ValidationFailed) as caught:
            actions.create_customer(actor=actor, name="A", customer_type=homeowner)
    assert caught.value.field == "customer_type"


def test_update_customer_records_one_event_per_changed_field(frozen_clock, customer, agent, actor):
    frozen_clock.advance(timedelta(hours=2))
    homeowner = CustomerType.objects.get(key="homeowner")
    actions.update_customer(customer, actor=actor, name="Dana W.", importance="key", customer_type=homeowner,
                            preferred_channel="phone")
    customer.refresh_from_db()
    assert (customer.name, customer.importance, customer.preferred_channel) == ("Dana W.", "key", "phone")
    assert customer.updated_at == frozen_clock.now() > customer.created_at
    changed = customer_events_of(customer, action="customer.changed")
    assert {(e.field, str(e.before), str(e.after)) for e in changed} == {
        ("name", "Dana Whitfield", "Dana W."),
        ("importance", "standard", "key"),
        ("customer_type", "None", str({"id": homeowner.pk, "name": "Homeowner"})),
        ("preferred_channel", "", "phone"),
    }
    assert all(e.actor == agent for e in changed)


def test_update_customer_without_a_change_records_nothing(customer, actor):
    before = customer.updated_at
    actions.update_customer(customer, actor=actor, name="Dana Whitfield", importance="standard")
    customer.refresh_from_db()
    assert customer.updated_at == before
    assert not customer_events_of(customer, action="customer.changed")


@pytest.mark.parametrize(("changes", "field"), [
    ({"name": ""}, "name"),
    ({"name": None}, "name"),
    ({"importance": "gold"}, "importance"),
    ({"importance": None}, "importance"),
    ({"preferred_channel": "fax"}, "preferred_channel"),
    ({"created_at": None}, "created_at"),
    ({"id": 5}, "id"),
])
def test_update_customer_refuses_bad_changes(customer, actor, changes, field):
    with nothing_written():
        with pytest.raises(ValidationFailed) as caught:
            actions.update_customer(customer, actor=actor, **changes)
    assert caught.value.field == field
    assert Customer.objects.get(pk=customer.pk).name == "Dana Whitfield"


def test_clearing_the_preferred_channel(customer, actor):
    actions.update_customer(customer, actor=actor, preferred_channel="email")
    actions.update_customer(customer, actor=actor, preferred_channel=None)
    customer.refresh_from_db()
    assert customer.preferred_channel == ""
    last = customer_events_of(customer, action="customer.changed")[-1]
    assert (last.field, last.before, last.after) == ("preferred_channel", "email", "")


def test_add_contact_points(customer, agent, actor):
    actions.add_contact_points(customer, actor=actor, emails=["DANA.work@example.com", "dana@example.com"],
                               phones=["650 253 0000"])
    customer = Customer.objects.get(pk=customer.pk)
    assert customer.emails == ["dana@example.com", "dana.work@example.com"]
    assert customer.phones == ["+14155550132", "+16502530000"]
    added = customer_events_of(customer, action="contact_point.added")[-2:]
    assert [(e.actor, e.field, e.before, e.after) for e in added] == [
        (agent, "email", None, "dana.work@example.com"), (agent, "phone", None, "+16502530000"),
    ]


def test_add_contact_point_of_another_customer_is_a_conflict(customer, actor):
    other = actions.create_customer(actor=actor, name="Other", emails=["other@example.com"])
    with nothing_written():
        with pytest.raises(Conflict, match="already belongs") as caught:
            actions.add_contact_points(customer, actor=actor, emails=["new@example.com", "OTHER@example.com"])
    assert caught.value.field == "emails"
    assert ContactPoint.objects.get(value="other@example.com").customer == other


def test_remove_contact_point(customer, agent, actor):
    actions.remove_contact_point(customer, actor=actor, value="+14155550132")
    assert Customer.objects.get(pk=customer.pk).phones == []
    event = customer_events_of(customer)[-1]
    assert (event.actor, event.action, event.field, event.before, event.after) == (
        agent, "contact_point.removed", "phone", "+14155550132", None)


def test_remove_unknown_contact_point(customer, actor):
    with nothing_written():
        with pytest.raises(ValidationFailed) as caught:
            actions.remove_contact_point(customer, actor=actor, value="nobody@example.com")
    assert caught.value.field == "value"


def test_find_customer_by_contact(customer):
    assert actions.find_customer_by_contact(email="DANA@example.com") == customer
    assert actions.find_customer_by_contact(phone="+14155550132") == customer
    assert actions.find_customer_by_contact(email="x@example.com", phone="+14155550132") == customer
    assert actions.find_customer_by_contact(email="x@example.com") is None
    assert actions.find_customer_by_contact() is None


def test_create_order(customer, agent, actor, frozen_clock):
    industry = Industry.objects.get(key="ein")
    order = actions.create_order(actor=actor, customer=customer, external_reference=" EIN-77 ", industry=industry,
                                 status="Processing")
    order = Order.objects.get(pk=order.pk)
    assert (order.external_reference, order.customer, order.industry, order.status) == (
        "EIN-77", customer, industry, "Processing")
    assert order.created_at == frozen_clock.now()
    event = customer_events_of(customer, action="order.created")[0]
    assert (event.actor, event.order, event.field, event.before) == (agent, order, "", None)
    assert event.after == {"external_reference": "EIN-77", "industry": {"id": industry.pk, "name": "EIN"},
                           "status": "Processing"}


@pytest.mark.parametrize(("fields", "field"), [
    ({"external_reference": ""}, "external_reference"),
    ({"external_reference": "   "}, "external_reference"),
    ({"external_reference": "x" * 101}, "external_reference"),
    ({"external_reference": "PP-1001"}, "external_reference"),
    ({"external_reference": "NEW", "status": "x" * 101}, "status"),
])
def test_create_order_refuses_bad_input(order, customer, actor, fields, field):
    with nothing_written():
        with pytest.raises((ValidationFailed, Conflict)) as caught:
            actions.create_order(actor=actor, customer=customer, **fields)
    assert caught.value.field == field


def test_create_order_refuses_a_retired_industry(customer, actor):
    Industry.objects.filter(key="nexus").update(active=False)  # configuration, done in the admin
    with nothing_written():
        with pytest.raises(ValidationFailed) as caught:
            actions.create_order(actor=actor, customer=customer, external_reference="N-1",
                                 industry=Industry.objects.get(key="nexus"))
    assert caught.value.field == "industry"


def test_update_order(frozen_clock, order, customer, agent, actor):
    frozen_clock.advance(timedelta(days=1))
    other = actions.create_customer(actor=actor, name="New Owner")
    order, changed = actions.update_order(order, actor=actor, status=" Unresponsive ", customer=other,
                                          industry=None)
    order = Order.objects.get(pk=order.pk)
    assert (order.status, order.customer, order.industry) == ("Unresponsive", other, None)
    assert order.updated_at == frozen_clock.now()
    assert {field for field, _, _ in changed} == {"status", "customer", "industry"}
    events = {e.field: e for e in customer_events_of(customer, action="order.changed")}
    events.update({e.field: e for e in customer_events_of(other, action="order.changed")})
    assert events["status"].before == "Processing" and events["status"].after == "Unresponsive"
    assert events["industry"].before == {"id": order_industry_id(events), "name": "US Passport"}
    assert events["industry"].after is None
    assert events["customer"].after == {"id": other.pk, "name": "New Owner"}
    assert all(e.actor == agent and e.order_id == order.pk for e in events.values())


def order_industry_id(events):
    return Industry.objects.get(key="us_passport").pk


def test_update_order_without_change_records_nothing(order, customer, actor):
    _, changed = actions.update_order(order, actor=actor, status="Processing")
    assert changed == []
    assert not customer_events_of(customer, action="order.changed")


@pytest.mark.parametrize(("changes", "field"), [
    ({"external_reference": "X"}, "external_reference"),
    ({"status": "x" * 101}, "status"),
])
def test_update_order_refuses_bad_changes(order, actor, changes, field):
    with nothing_written():
        with pytest.raises(ValidationFailed) as caught:
            actions.update_order(order, actor=actor, **changes)
    assert caught.value.field == field


def test_adding_a_customers_own_contact_point_again_changes_nothing(customer, actor):
    before = len(customer_events_of(customer))
    actions.add_contact_points(customer, actor=actor, emails=["DANA@example.com"], phones=["(415) 555-0132"])
    assert Customer.objects.get(pk=customer.pk).emails == ["dana@example.com"]
    assert len(customer_events_of(customer)) == before

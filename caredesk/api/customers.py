"""Customers, their contact points, and orders."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Query, Router, Schema, Status
from pydantic import Field

from caredesk.api import lookups
from caredesk.api.auth import require
from caredesk.api.pagination import page_by_id
from caredesk.api.types import Id, InputSchema, Key, PageSize, ShortText
from caredesk.core import events
from caredesk.core.audit import Actor
from caredesk.core.roles import MANAGE_CUSTOMERS, VIEW_AUDIT, WORK_TICKETS
from caredesk.customers import actions
from caredesk.customers.contact import normalize_email, normalize_phone
from caredesk.customers.models import Customer, CustomerEvent, Order
from caredesk.search import queries as search_queries

router = Router(tags=["customers"])

Importance = Literal["standard", "key", "vip"]
PreferredChannel = Literal["", "email", "phone", "sms"]


class EntryOut(Schema):
    key: str
    name: str


class CustomerIn(InputSchema):
    name: ShortText
    emails: list[ShortText] = Field(default_factory=list, max_length=20)
    phones: list[ShortText] = Field(default_factory=list, max_length=20)
    customer_type: Key | None = None
    importance: Importance = "standard"
    preferred_channel: PreferredChannel = ""


class CustomerPatch(InputSchema):
    name: ShortText | None = None
    customer_type: Key | None = None
    importance: Importance | None = None
    preferred_channel: PreferredChannel | None = None


class ContactPointIn(InputSchema):
    kind: Literal["email", "phone"]
    value: ShortText


class CustomerOut(Schema):
    id: int
    name: str
    emails: list[str]
    phones: list[str]
    customer_type: EntryOut | None
    importance: str
    preferred_channel: str
    created_at: datetime
    updated_at: datetime


class CustomerPage(Schema):
    items: list[CustomerOut]
    next_cursor: str | None


class OrderIn(InputSchema):
    external_reference: ShortText
    customer_id: Id
    industry: Key | None = None
    status: ShortText = ""


class OrderPatch(InputSchema):
    status: ShortText | None = None
    industry: Key | None = None


class OrderOut(Schema):
    id: int
    external_reference: str
    customer_id: int
    industry: EntryOut | None
    status: str
    created_at: datetime
    updated_at: datetime


class OrderPage(Schema):
    items: list[OrderOut]
    next_cursor: str | None


class AuditEventOut(Schema):
    id: int
    at: datetime
    actor_kind: str
    actor_label: str
    action: str
    field: str
    before: object | None
    after: object | None
    summary: str = Field(description="How the event reads after its actor's name, e.g. "
                                     "'changed the status from open to pending' (see docs/audit.md).")


def audit_events_out(rows) -> list[AuditEventOut]:
    """Audit events as the API shows them, each with its sentence from the audit registry."""
    rows = list(rows)
    return [AuditEventOut(id=event.pk, at=event.at, actor_kind=event.actor_kind, actor_label=event.actor_label,
                          action=event.action, field=event.field, before=event.before, after=event.after,
                          summary=str(sentence))
            for event, sentence in zip(rows, events.describe_all(rows))]


class CustomerFilters(Schema):
    search: ShortText | None = Field(None, description="A name, an email or a phone number (in any format), "
                                     "whole or in part (the search index's best 2,000 customers).")
    email: ShortText | None = None
    phone: ShortText | None = None
    cursor: str | None = None
    limit: PageSize = 50


def _customers():
    return Customer.objects.select_related("customer_type").prefetch_related("contact_points")


def _get_customer(customer_id: int) -> Customer:
    return lookups.get_or_404(_customers(), customer_id)


@router.post("/customers", response={201: CustomerOut})
def create_customer(request, payload: CustomerIn):
    agent = require(request, MANAGE_CUSTOMERS)
    customer = actions.create_customer(
        actor=Actor.of_agent(agent), name=payload.name, emails=payload.emails, phones=payload.phones,
        customer_type=lookups.entry("customer_type", payload.customer_type), importance=payload.importance,
        preferred_channel=payload.preferred_channel,
    )
    return Status(201, _get_customer(customer.pk))


@router.get("/customers", response=CustomerPage)
def list_customers(request, filters: Query[CustomerFilters]):
    agent = require(request, WORK_TICKETS)
    queryset = _customers()
    if filters.email:
        queryset = queryset.filter(contact_points__kind="email",
                                   contact_points__value=normalize_email(filters.email, field="email"))
    if filters.phone:
        queryset = queryset.filter(contact_points__kind="phone",
                                   contact_points__value=normalize_phone(filters.phone, field="phone"))
    if filters.search:
        queryset = queryset.filter(pk__in=search_queries.customer_ids(filters.search, agent=agent))
    items, next_cursor = page_by_id(queryset, cursor=filters.cursor, limit=filters.limit)
    return {"items": items, "next_cursor": next_cursor}


@router.get("/customers/{customer_id}", response=CustomerOut)
def get_customer(request, customer_id: Id):
    require(request, WORK_TICKETS)
    return _get_customer(customer_id)


@router.patch("/customers/{customer_id}", response=CustomerOut)
def update_customer(request, customer_id: Id, payload: CustomerPatch):
    agent = require(request, MANAGE_CUSTOMERS)
    changes = payload.dict(exclude_unset=True)
    if "customer_type" in changes:
        changes["customer_type"] = lookups.entry("customer_type", changes["customer_type"])
    if changes.get("name") is None:
        changes.pop("name", None)
    actions.update_customer(_get_customer(customer_id), actor=Actor.of_agent(agent), **changes)
    return _get_customer(customer_id)


@router.post("/customers/{customer_id}/contact-points", response={201: CustomerOut})
def add_contact_point(request, customer_id: Id, payload: ContactPointIn):
    agent = require(request, MANAGE_CUSTOMERS)
    listing = {"emails": [payload.value]} if payload.kind == "email" else {"phones": [payload.value]}
    actions.add_contact_points(_get_customer(customer_id), actor=Actor.of_agent(agent), **listing)
    return Status(201, _get_customer(customer_id))


@router.delete("/customers/{customer_id}/contact-points/{value}", response=CustomerOut)
def remove_contact_point(request, customer_id: Id, value: ShortText):
    agent = require(request, MANAGE_CUSTOMERS)
    actions.remove_contact_point(_get_customer(customer_id), actor=Actor.of_agent(agent), value=value)
    return _get_customer(customer_id)


@router.get("/customers/{customer_id}/events", response=list[AuditEventOut])
def customer_events(request, customer_id: Id):
    require(request, VIEW_AUDIT)
    customer = _get_customer(customer_id)
    return audit_events_out(CustomerEvent.objects.filter(customer=customer).select_related("order")
                            .order_by("at", "id")[:1000])


class OrderFilters(Schema):
    customer_id: Id | None = None
    industry: Key | None = None
    status: ShortText | None = None
    cursor: str | None = None
    limit: PageSize = 50


def _orders():
    return Order.objects.select_related("industry")


@router.post("/orders", response={201: OrderOut})
def create_order(request, payload: OrderIn):
    agent = require(request, MANAGE_CUSTOMERS)
    order = actions.create_order(
        actor=Actor.of_agent(agent), customer=lookups.customer(payload.customer_id, field="customer_id"),
        external_reference=payload.external_reference, industry=lookups.entry("industry", payload.industry),
        status=payload.status,
    )
    return Status(201, _orders().get(pk=order.pk))


@router.get("/orders", response=OrderPage)
def list_orders(request, filters: Query[OrderFilters]):
    require(request, WORK_TICKETS)
    queryset = _orders()
    if filters.customer_id:
        queryset = queryset.filter(customer_id=filters.customer_id)
    if filters.industry:
        queryset = queryset.filter(industry=lookups.entry("industry", filters.industry))
    if filters.status is not None:
        queryset = queryset.filter(status=filters.status)
    items, next_cursor = page_by_id(queryset, cursor=filters.cursor, limit=filters.limit)
    return {"items": items, "next_cursor": next_cursor}


@router.get("/orders/{order_id}", response=OrderOut)
def get_order(request, order_id: Id):
    require(request, WORK_TICKETS)
    return _order_or_404(order_id)


def _order_or_404(order_id: int) -> Order:
    return lookups.get_or_404(_orders(), order_id)


@router.patch("/orders/{order_id}", response=OrderOut)
def update_order(request, order_id: Id, payload: OrderPatch):
    agent = require(request, MANAGE_CUSTOMERS)
    changes = payload.dict(exclude_unset=True)
    if "industry" in changes:
        changes["industry"] = lookups.entry("industry", changes["industry"])
    if changes.get("status") is None:
        changes.pop("status", None)
    actions.update_order(_order_or_404(order_id), actor=Actor.of_agent(agent), **changes)
    return _order_or_404(order_id)

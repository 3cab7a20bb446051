"""Resolving the keys and names API clients send into configured rows, with field-named errors."""

from __future__ import annotations

from caredesk.core.db.statements import get_by
from caredesk.core.errors import NotFound, ValidationFailed
from caredesk.core.models import Agent
from caredesk.customers.models import Customer, CustomerType, Industry, Order
from caredesk.tickets.models import Category, Group, TicketType

ENTRY_MODELS = {
    "ticket_type": TicketType, "category": Category, "group": Group, "industry": Industry,
    "customer_type": CustomerType,
}


def entry(field: str, key: str | None):
    """A configured list entry by key (or None for an empty value)."""
    if key is None or key == "":
        return None
    model = ENTRY_MODELS[field]
    row = get_by(model, "key", key)
    if row is None:
        known = ", ".join(model.objects.filter(active=True).values_list("key", flat=True)[:30])
        raise ValidationFailed(f"Unknown {field.replace('_', ' ')} {key!r}; known: {known}.", field=field)
    return row


def agent(username: str | None, *, field: str = "assignee") -> Agent | None:
    if username is None or username == "":
        return None
    row = get_by(Agent, "username", username)
    if row is None:
        raise ValidationFailed(f"No agent named {username!r}.", field=field)
    return row


def customer(customer_id: int, *, field: str = "requester_id") -> Customer:
    row = get_by(Customer, "pk", customer_id)
    if row is None:
        raise ValidationFailed(f"No customer #{customer_id}.", field=field)
    return row


def order(order_id: int | None, *, field: str = "order_id") -> Order | None:
    if order_id is None:
        return None
    row = get_by(Order, "pk", order_id)
    if row is None:
        raise ValidationFailed(f"No order #{order_id}.", field=field)
    return row


def get_or_404(queryset, pk: int):
    """The row with `pk` from `queryset`, or a 404 problem naming what was looked for."""
    row = queryset.filter(pk=pk).first()
    if row is None:
        raise NotFound(f"No {queryset.model._meta.verbose_name} #{pk}.")
    return row

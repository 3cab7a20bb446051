"""The customer audit event kinds: customers, contact points and orders (see caredesk.core.events)."""

from __future__ import annotations

from caredesk.core.events import VALUE, EventKind, Quoted, Reading, record, register, value_text
from caredesk.customers.actions import CUSTOMER_FIELDS, ORDER_FIELDS
from caredesk.customers.contact import display_phone
from caredesk.customers.models import ContactPoint, Customer, CustomerEvent

FIELD_LABELS = {"customer_type": "customer type", "preferred_channel": "preferred channel"}
CHOICE_LABELS = {"importance": dict(Customer.Importance.choices),
                 "preferred_channel": dict(Customer.PreferredChannel.choices)}


def value_label(field: str, value) -> str:
    """A customer's or an order's value as the customer page shows it."""
    if field == ContactPoint.Kind.PHONE and value:
        return display_phone(value)
    labels = CHOICE_LABELS.get(field)
    if labels is not None and value:
        return labels.get(value, value)
    return value_text(value)


def _customer_created(reading: Reading) -> dict:
    after = reading.after
    extras = [value_label(key, after[key]) for key in ("customer_type", "importance", "preferred_channel")
              if after[key]]
    return {"name": Quoted(after["name"]), "details": f" ({', '.join(extras)})" if extras else ""}


def _order_created(reading: Reading) -> dict:
    after = reading.after
    details = [value_text(after[key]) for key in ("industry", "status") if after[key]]
    return {"reference": after["external_reference"], "details": f" ({', '.join(details)})" if details else ""}


def declare() -> None:
    register(
        CustomerEvent,
        EventKind("customer.created", "created the customer {name}{details}",
                  after=record("name", "customer_type", "importance", "preferred_channel"), values=_customer_created),
        EventKind("customer.changed", "changed the {field} from {before} to {after}", field=tuple(sorted(CUSTOMER_FIELDS)),
                  before=VALUE, after=VALUE, field_labels=FIELD_LABELS, value_label=value_label),
        EventKind("contact_point.added", "added the {field} {after}", field=tuple(ContactPoint.Kind.values),
                  after=VALUE, value_label=value_label),
        EventKind("contact_point.removed", "removed the {field} {before}", field=tuple(ContactPoint.Kind.values),
                  before=VALUE, value_label=value_label),
        EventKind("order.created", "added the order {reference}{details}",
                  after=record("external_reference", "industry", "status"), values=_order_created),
        EventKind("order.changed", "changed the {field} of order {order} from {before} to {after}",
                  field=tuple(sorted(ORDER_FIELDS)), before=VALUE, after=VALUE, field_labels=FIELD_LABELS, value_label=value_label,
                  values=lambda reading: {**reading.defaults(), "order": reading.event.order.external_reference}),
    )

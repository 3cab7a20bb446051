"""A customer's recent history for the customer page: their CustomerEvent audit trail (the customer, contact
points and orders), newest first, as readable rows, in one query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from caredesk.customers.contact import display_phone
from caredesk.customers.models import Customer, CustomerEvent
from caredesk.web.forms import IMPORTANCE_LABELS, PREFERRED_CHANNEL_LABELS
from caredesk.web.templatetags.workspace import audit_text

FIELD_NAMES = {"customer_type": "customer type", "preferred_channel": "preferred channel"}
VALUE_LABELS = {"importance": IMPORTANCE_LABELS, "preferred_channel": PREFERRED_CHANNEL_LABELS}


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    who: str
    what: str
    before: str  # "" when the change had no before (an addition)
    after: str  # "" when it had no after (a removal)


def _value(field: str, value) -> str:
    if field == "phone" and value:
        return display_phone(value)
    labels = VALUE_LABELS.get(field)
    if labels is not None:
        return labels.get(value, value) or "none"
    return audit_text(value)


def _what(event: CustomerEvent) -> str:
    field = FIELD_NAMES.get(event.field, event.field.replace("_", " "))
    order = event.order.external_reference if event.order_id else ""
    return {
        "customer.created": "created the customer",
        "customer.changed": f"changed the {field}",
        "contact_point.added": f"added the {field}",
        "contact_point.removed": f"removed the {field}",
        "order.created": f"added the order {order}",
        "order.changed": f"changed the {field} of order {order}",
    }.get(event.action, event.action.replace(".", " ").replace("_", " "))


def _created(after: dict) -> str:
    """"Dana Whitfield (Homeowner, Standard)" for a customer.created event."""
    extras = [_value(key, after[key]) for key in ("customer_type", "importance", "preferred_channel") if after.get(key)]
    return after.get("name", "") + (f" ({', '.join(extras)})" if extras else "")


def row(event: CustomerEvent) -> HistoryRow:
    who = event.actor.display_name if event.actor_id else event.actor_label
    if event.action == "customer.created":
        return HistoryRow(event.at, who, _what(event), "", _created(event.after or {}))
    if event.action == "order.created":  # the reference is in `what`
        after = event.after or {}
        return HistoryRow(event.at, who, _what(event), "",
                          ", ".join(audit_text(after[key]) for key in ("industry", "status") if after.get(key)))
    if event.action.endswith(".changed"):  # an empty side of a change reads "none"
        return HistoryRow(event.at, who, _what(event), _value(event.field, event.before),
                          _value(event.field, event.after))
    # an addition has only an after, a removal only a before
    before, after = (_value(event.field, side) if side is not None else "" for side in (event.before, event.after))
    return HistoryRow(event.at, who, _what(event), before, after)


def recent_history(customer: Customer, limit: int) -> tuple[list[HistoryRow], bool]:
    """The newest `limit` rows, and whether there are older ones."""
    events = list(CustomerEvent.objects.filter(customer=customer).select_related("actor", "order")
                  .order_by("-at", "-id")[: limit + 1])
    return [row(event) for event in events[:limit]], len(events) > limit

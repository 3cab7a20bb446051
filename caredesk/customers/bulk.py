"""Order status changes for many orders at once: the bulk door behind a playbook's `order_status`.

The same rule and the same audit trail as `actions.update_order(order, status=...)`: the status is trimmed
and at most 100 characters, an order whose status really changes gets its `updated_at` and one
CustomerEvent "order.changed" (field "status", before, after). The orders are read once, locked; the
changes are kept in memory and written by `write` with one UPDATE and one INSERT statement, each run for
every changed order. Callers hold the transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Iterable

from caredesk.core.audit import Actor
from caredesk.core.changes import apply_changes
from caredesk.core.db import statements
from caredesk.customers.actions import clean_order_status
from caredesk.customers.models import CustomerEvent, Order


class OrderStatusChanges:
    """Status changes of a batch of orders, locked when this is made, written at `write`."""

    def __init__(self, order_ids: Iterable[int], now: datetime):
        self.now = now
        self.orders = {order.pk: order for order in
                       Order.objects.select_for_update().filter(pk__in=set(order_ids)).order_by("pk")}
        self.changed: dict[int, Order] = {}
        self.events: list[CustomerEvent] = []

    def status_of(self, order_id: int) -> str:
        return self.orders[order_id].status

    def change(self, order_id: int, actor: Actor, status: str) -> tuple[str, str] | None:
        """Set the order's status; (before, after) when it changed, None when it already had it."""
        order = self.orders[order_id]
        changed = apply_changes(order, {"status": clean_order_status(status)})
        if not changed:
            return None
        _, before, after = changed[0]
        order.updated_at = self.now
        self.changed[order.pk] = order
        event = CustomerEvent.build(actor, "order.changed", customer_id=order.customer_id, order=order,
                                    field="status", before=before, after=after)
        event.at = self.now
        self.events.append(event)
        return before, after

    def write(self) -> None:
        statements.update_rows(self.changed.values(), ("status", "updated_at"))
        statements.insert_rows(self.events)
        self.changed, self.events = {}, []

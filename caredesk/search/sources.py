"""The document sources of caredesk's own records: tickets, their interactions, customers, orders, cases."""

from __future__ import annotations

from django.db import connection
from django.urls import reverse

from caredesk.cases.models import CASE_TEXTS, CASES, Case
from caredesk.core import roles
from caredesk.customers.models import Customer, CustomerEvent, Order
from caredesk.search.registry import Document, DocumentSource, register
from caredesk.tickets.models import Interaction, Ticket, TicketEvent

TICKET_FIELDS = {"subject", "description", "order", "requester"}
POINTS_JOIN = (", p.value", " LEFT JOIN customers_contactpoint p ON p.customer_id = t.requester_id")


class RawSource:
    """A busy source whose documents are read with one SQL statement written once (`select` columns from
    `tables`, then a WHERE on its `t.id`): rows are written on every ticket change, where building the ORM's
    SQL each time would cost more than running it. A build's batch is a range of primary keys."""

    select: str
    tables: str

    def rows(self, where: str, params: list, joined: tuple[str, str] = ("", "")) -> list[tuple]:
        """Rows of `select` from `tables`, `joined` (a column and its join) added last."""
        with connection.cursor() as cursor:
            cursor.execute(f"{self.select}{joined[0]} {self.tables}{joined[1]} WHERE {where}", params)
            return cursor.fetchall()

    def documents(self, ids):
        ids = list(ids)
        return self.built(self.rows(f"t.id IN ({', '.join(['%s'] * len(ids))})", ids)) if ids else []

    def documents_after(self, after):
        documents = self.built(self.rows("t.id > %s ORDER BY t.id LIMIT %s", [after, self.batch_size]))
        return (documents[-1].object_id, documents) if documents else None


def contact_points(customer_ids) -> dict[int, list[str]]:
    customer_ids = list(set(customer_ids))
    points: dict[int, list[str]] = {}
    if customer_ids:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT customer_id, value FROM customers_contactpoint WHERE customer_id IN "
                           f"({', '.join(['%s'] * len(customer_ids))}) ORDER BY position, id", customer_ids)
            for customer_id, value in cursor.fetchall():
                points.setdefault(customer_id, []).append(value)
    return points


def identifiers(name: str, points: list[str], reference: str | None) -> list[str]:
    """A ticket's identifiers: its requester's name and contact points, its order's reference."""
    return [name, *points, *([reference] if reference else [])]


class TicketSource(RawSource, DocumentSource):
    """A ticket's subject (its title) and description; its requester's name, emails and phone numbers and
    its order reference as identifiers, so that any of them finds the ticket."""

    name, label, model, capability = "ticket", "Ticket", Ticket, roles.WORK_TICKETS
    select = "SELECT t.id, t.subject, t.description, t.created_at, t.requester_id, c.name, o.external_reference"
    tables = ("FROM tickets_ticket t JOIN customers_customer c ON c.id = t.requester_id "
              "LEFT JOIN customers_order o ON o.id = t.order_id")

    def documents(self, ids):
        """A change's tickets, their requesters' contact points joined (one statement, not two: this runs in
        the transaction of every ticket created)."""
        ids = list(ids)
        if not ids:
            return []
        points: dict[int, list[str]] = {}
        tickets = {}
        for *ticket, point in self.rows(f"t.id IN ({', '.join(['%s'] * len(ids))}) ORDER BY t.id, p.position, p.id",
                                        ids, joined=POINTS_JOIN):
            tickets[ticket[0]] = ticket
            if point is not None:
                points.setdefault(ticket[0], []).append(point)
        return self.built(list(tickets.values()), {ticket[4]: points.get(pk, []) for pk, ticket in tickets.items()})

    def built(self, rows, points: dict[int, list[str]] | None = None) -> list[Document]:
        points = contact_points(row[4] for row in rows) if points is None else points
        return [Document(object_id=pk, title=subject, body=description, at=at, ticket_id=pk, customer_id=requester,
                         identifiers=identifiers(name, points.get(requester, []), reference))
                for pk, subject, description, at, requester, name, reference in rows]

    # The same documents in SQL over `t` for the set-based build on PostgreSQL, but for the identifiers
    # (the requester's name and contact points, the order reference), which `bulk_identifiers` reads.
    bulk = {"ticket_id": "t.id", "customer_id": "t.requester_id", "public": "false", "at": "t.created_at",
            "title": "t.subject", "body": "t.description"}

    def bulk_identifiers(self, after: int, upto: int) -> dict[int, list[str]]:
        """The identifiers of the tickets with ids in (after, upto], by ticket id: no subject or description
        read (the database indexes those itself)."""
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT t.id, t.requester_id, c.name, o.external_reference {self.tables} "
                           f"WHERE t.id > %s AND t.id <= %s", [after, upto])
            rows = cursor.fetchall()
        points = contact_points(row[1] for row in rows)
        return {pk: identifiers(name, points.get(requester, []), reference) for pk, requester, name, reference in rows}

    def changed_by(self, event):
        if isinstance(event, TicketEvent) and (event.action == "ticket.created" or event.field in TICKET_FIELDS):
            return [event.ticket_id]
        if isinstance(event, CustomerEvent) and (event.action.startswith("contact_point.")
                                                 or event.action == "customer.changed" and event.field == "name"):
            return list(Ticket.objects.filter(requester_id=event.customer_id).values_list("pk", flat=True))
        return []

    def url(self, hit):
        return reverse("web:ticket", args=[hit.object_id])


class InteractionSource(RawSource, DocumentSource):
    """Every interaction's text: emails, notes, text messages, call notes, voicemail transcriptions."""

    name, label, model, capability = "interaction", "Message", Interaction, roles.WORK_TICKETS
    batch_size = 5000

    select = "SELECT t.id, t.ticket_id, t.occurred_at, t.caller_name, t.reason_for_call, t.actions_taken, t.body"
    tables = "FROM tickets_interaction t"

    def built(self, rows) -> list[Document]:
        return [Document(object_id=pk, title="", body="\n".join(text for text in texts if text), at=at,
                         ticket_id=ticket_id) for pk, ticket_id, at, *texts in rows]

    # The same documents in SQL over `t`, for the set-based build on PostgreSQL (PostgresEngine.bulk_insert;
    # tests/integration/search checks it writes what `documents` does). No identifiers: `keys` come from
    # the texts alone.
    bulk = {"ticket_id": "t.ticket_id", "customer_id": "NULL", "public": "false", "at": "t.occurred_at",
            "title": "''",
            "body": "concat_ws(E'\\n', nullif(t.caller_name, ''), nullif(t.reason_for_call, ''), "
                    "nullif(t.actions_taken, ''), nullif(t.body, ''))"}

    def changed_by(self, event):
        if not isinstance(event, TicketEvent):
            return []
        if event.action == "ticket.merged_from":  # the duplicate's interactions moved to this ticket
            return list(Interaction.objects.filter(ticket_id=event.ticket_id).values_list("pk", flat=True))
        return [event.interaction_id] if event.interaction_id else []

    def url(self, hit):
        return reverse("web:ticket", args=[hit.ticket_id]) + "#timeline"


class CustomerSource(DocumentSource):
    """A customer's name and contact points (emails whole or by part, phone numbers by digits)."""

    name, label, model, capability = "customer", "Customer", Customer, roles.WORK_TICKETS

    def documents(self, ids):
        points = contact_points(ids)
        return [Document(object_id=c.pk, title=c.name, body=" · ".join(points.get(c.pk, [])), at=c.created_at,
                         customer_id=c.pk, identifiers=[c.name, *points.get(c.pk, [])])
                for c in Customer.objects.filter(pk__in=ids).only("name", "created_at")]

    def changed_by(self, event):
        if isinstance(event, CustomerEvent) and not event.action.startswith("order."):
            return [event.customer_id]
        return []

    def url(self, hit):
        return reverse("web:customer", args=[hit.object_id])


class OrderSource(DocumentSource):
    """An order's external reference, whole or by part."""

    name, label, model, capability = "order", "Order", Order, roles.WORK_TICKETS

    def documents(self, ids):
        return [Document(object_id=o.pk, title=o.external_reference,
                         body=" · ".join(text for text in (o.industry.name if o.industry else "", o.status) if text),
                         at=o.created_at, customer_id=o.customer_id, identifiers=[o.external_reference])
                for o in Order.objects.filter(pk__in=ids).select_related("industry")]

    def changed_by(self, event):
        if isinstance(event, CustomerEvent) and event.action.startswith("order.") and event.order_id:
            return [event.order_id]
        return []

    def url(self, hit):
        return reverse("web:customer", args=[hit.customer_id])


class CaseSource(DocumentSource):
    """An escalation case's written fields (SOP 003 step 3)."""

    name, label, model, capability = "case", "Case", Case, roles.WORK_TICKETS

    def documents(self, ids):
        return [Document(object_id=c.pk, title=f"Case {c.pk}: {c.primary_reason.name}",
                         body="\n".join(getattr(c, text) for text in CASE_TEXTS if getattr(c, text)),
                         at=c.created_at, ticket_id=c.ticket_id)
                for c in Case.objects.filter(pk__in=ids).select_related("primary_reason")]

    def changed_by(self, event):
        if not isinstance(event, TicketEvent) or not isinstance(event.after, dict):
            return []
        if event.action == "record.redacted" and event.after["record"] == CASES:
            return event.after["ids"]
        if event.action.startswith("case."):
            return [event.after["case"]] if event.after.get("case") else []
        return []

    def url(self, hit):
        return reverse("web:case", args=[hit.object_id])


def register_all() -> None:
    for source in (TicketSource(), InteractionSource(), CustomerSource(), OrderSource(), CaseSource()):
        register(source)

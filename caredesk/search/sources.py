"""The document sources of caredesk's own records: tickets, their interactions, customers, orders, cases."""

from __future__ import annotations

from django.urls import reverse

from caredesk.cases.models import Case
from caredesk.core import roles
from caredesk.customers.models import ContactPoint, Customer, CustomerEvent, Order
from caredesk.search.registry import Document, DocumentSource, register
from caredesk.tickets.models import Interaction, Ticket, TicketEvent

TICKET_FIELDS = {"subject", "description", "order", "requester"}


class RangeBuild:
    """For a source whose `built(queryset)` makes one document per row from one query: a build's batch is a
    range of primary keys read at once, not a list of ids read first and sent back."""

    def documents_after(self, after):
        documents = self.built(self.model._default_manager.filter(pk__gt=after).order_by("pk")[: self.batch_size])
        return (documents[-1].object_id, documents) if documents else None


def contact_points(customer_ids) -> dict[int, list[str]]:
    points: dict[int, list[str]] = {}
    for customer_id, value in (ContactPoint.objects.filter(customer_id__in=set(customer_ids))
                               .order_by("position", "id").values_list("customer_id", "value")):
        points.setdefault(customer_id, []).append(value)
    return points


class TicketSource(RangeBuild, DocumentSource):
    """A ticket's subject (its title) and description; its requester's name, emails and phone numbers and
    its order reference as identifiers, so that any of them finds the ticket."""

    name, label, model, capability = "ticket", "Ticket", Ticket, roles.WORK_TICKETS

    def documents(self, ids):
        return self.built(Ticket.objects.filter(pk__in=ids))

    def built(self, tickets) -> list[Document]:
        rows = list(tickets.values_list("pk", "subject", "description", "created_at", "requester_id",
                                        "requester__name", "order__external_reference"))
        points = contact_points(row[4] for row in rows)
        return [Document(object_id=pk, title=subject, body=description, at=at, ticket_id=pk, customer_id=requester,
                         identifiers=[name, *points.get(requester, []), *([reference] if reference else [])])
                for pk, subject, description, at, requester, name, reference in rows]

    def changed_by(self, event):
        if isinstance(event, TicketEvent) and (event.action == "ticket.created" or event.field in TICKET_FIELDS):
            return [event.ticket_id]
        if isinstance(event, CustomerEvent) and (event.action.startswith("contact_point.")
                                                 or event.action == "customer.changed" and event.field == "name"):
            return list(Ticket.objects.filter(requester_id=event.customer_id).values_list("pk", flat=True))
        return []

    def url(self, hit):
        return reverse("web:ticket", args=[hit.object_id])


class InteractionSource(RangeBuild, DocumentSource):
    """Every interaction's text: emails, notes, text messages, call notes, voicemail transcriptions."""

    name, label, model, capability = "interaction", "Message", Interaction, roles.WORK_TICKETS
    batch_size = 5000

    def documents(self, ids):
        return self.built(Interaction.objects.filter(pk__in=ids))

    def built(self, interactions) -> list[Document]:
        rows = interactions.values_list("pk", "ticket_id", "occurred_at", "caller_name", "reason_for_call",
                                        "actions_taken", "body")
        return [Document(object_id=pk, title="", body="\n".join(text for text in texts if text), at=at,
                         ticket_id=ticket_id) for pk, ticket_id, at, *texts in rows]

    def changed_by(self, event):
        return [event.interaction_id] if isinstance(event, TicketEvent) and event.interaction_id else []

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


CASE_TEXTS = ("description", "installer_point_of_view", "concern_type", "red_flags", "other_concerns",
              "documentation_needed", "assignment_reason")


class CaseSource(DocumentSource):
    """An escalation case's written fields (SOP 003 step 3)."""

    name, label, model, capability = "case", "Case", Case, roles.WORK_TICKETS

    def documents(self, ids):
        return [Document(object_id=c.pk, title=f"Case {c.pk}: {c.primary_reason.name}",
                         body="\n".join(getattr(c, text) for text in CASE_TEXTS if getattr(c, text)),
                         at=c.created_at, ticket_id=c.ticket_id)
                for c in Case.objects.filter(pk__in=ids).select_related("primary_reason")]

    def changed_by(self, event):
        if isinstance(event, TicketEvent) and event.action.startswith("case.") and isinstance(event.after, dict):
            return [event.after["case"]] if event.after.get("case") else []
        return []

    def url(self, hit):
        return reverse("web:case", args=[hit.object_id])


def register_all() -> None:
    for source in (TicketSource(), InteractionSource(), CustomerSource(), OrderSource(), CaseSource()):
        register(source)

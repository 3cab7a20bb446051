from caredesk.core.audit import Actor
from caredesk.tickets.actions import create_ticket
from caredesk.tickets.models import TicketEvent


def test_creating_a_ticket_writes_its_audit_event(agent, customer):
    ticket = create_ticket(actor=Actor.of_agent(agent), requester=customer, subject="Help")
    event = TicketEvent.objects.get(ticket=ticket)
    assert event.action == "ticket.created" and event.actor == agent

"""Texts and calls arrive from a phone number: find the customer (or add one) and their open ticket (or open one)."""

from __future__ import annotations

from caredesk.channels.routing import latest_open_ticket
from caredesk.core.audit import Actor
from caredesk.customers.actions import create_customer, find_customer_by_contact
from caredesk.customers.contact import display_phone, normalize_phone
from caredesk.customers.models import Customer
from caredesk.tickets.actions import create_ticket
from caredesk.tickets.models import Ticket


def customer_for_number(number: str, *, field: str = "From") -> Customer:
    """The customer owning `number` (any format Twilio sends), or a new customer named after the number."""
    phone = normalize_phone(number, field=field)
    customer = find_customer_by_contact(phone=phone)
    if customer is None:
        customer = create_customer(actor=Actor.system("phone"), name=display_phone(phone), phones=[phone])
    return customer


def ticket_for(customer: Customer, *, subject: str, channel: str, description: str = "") -> Ticket:
    """The customer's most recent open ticket, or a new one."""
    return latest_open_ticket(customer) or create_ticket(
        actor=Actor.customer(customer.name), requester=customer, subject=subject, description=description,
        channel=channel,
    )

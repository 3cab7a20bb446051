"""Inbound texts: a text from a customer lands on their most recent open ticket, or on a new one."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from caredesk.channels import phone
from caredesk.channels.models import OutboundMessage
from caredesk.core.errors import ValidationFailed
from caredesk.tickets.actions import receive_customer_message
from caredesk.tickets.models import Channel, Interaction

MAXIMUM_SMS_CHARACTERS = 10_000


def receive_sms(*, sid: str, from_number: str, to_number: str, body: str, media_urls: list[str] = ()) -> Interaction:
    """Record a customer's text once per provider SID (a redelivered webhook returns the same interaction).

    details["thread"] is "reply" when caredesk had texted this number on that ticket, else "new".
    """
    if not sid:
        raise ValidationFailed("A text needs the provider's message id.", field="MessageSid")
    existing = Interaction.objects.filter(external_id=sid).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            customer = phone.customer_for_number(from_number)
            sender = customer.phones[0] if customer.phones else from_number
            ticket = phone.ticket_for(customer, subject=f"Text message from {customer.name}", channel=Channel.SMS,
                                      description=body[:MAXIMUM_SMS_CHARACTERS])
            texted = OutboundMessage.objects.filter(ticket=ticket, channel=OutboundMessage.Channel.SMS)
            answered = any(sender in to for to in texted.values_list("to", flat=True))
            return receive_customer_message(
                ticket, customer=customer, channel=Channel.SMS, body=body[:MAXIMUM_SMS_CHARACTERS], external_id=sid,
                details={"provider": "twilio", "from": from_number, "to": to_number, "media": list(media_urls),
                         "thread": "reply" if answered else "new"},
            )
    except IntegrityError:  # the same SID delivered twice at once
        existing = Interaction.objects.filter(external_id=sid).first()
        if existing is None:
            raise
        return existing

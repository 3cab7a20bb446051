"""Rendering outbound text: message templates (data, by name) and the email wrappers (files)."""

from __future__ import annotations

from django.template import Context, Engine, TemplateSyntaxError
from django.template.loader import render_to_string

from caredesk.channels.models import MessageTemplate
from caredesk.tickets.models import Ticket

_PLAIN_TEXT = Engine(autoescape=False)


class TemplateUnavailable(Exception):
    """No active template by that name for that channel, or it does not render."""


def render_message_template(name: str, channel: str, ticket: Ticket, extra: dict | None = None) -> tuple[str, str]:
    """(subject, body) of template `name` for `channel` ("email" or "text"), with the ticket, its customer and
    the `extra` names a caller gives (a case's documentation request gives `needed`)."""
    template = MessageTemplate.objects.filter(name=name, channel=channel, active=True).first()
    if template is None:
        raise TemplateUnavailable(f'there is no active {channel} template named "{name}"')
    context = Context({**(extra or {}), "ticket": ticket, "customer": ticket.requester})
    try:
        subject = _PLAIN_TEXT.from_string(template.subject).render(context)
        body = _PLAIN_TEXT.from_string(template.body).render(context)
    except TemplateSyntaxError as error:
        raise TemplateUnavailable(f'the {channel} template "{name}" does not render: {error}') from None
    return " ".join(subject.split()), body.strip()


def email_bodies(body: str, ticket: Ticket) -> tuple[str, str]:
    """(text, html) of an outbound email around `body`: the message, then a line naming the ticket."""
    context = {"body": body, "ticket": ticket}
    return (render_to_string("channels/email/message.txt", context),
            render_to_string("channels/email/message.html", context))

"""Every text that reaches a ticket is checked for sensitive issues, inside the change's transaction:
the ticket's subject and description (when created or changed), customers' emails and texts, call notes,
voicemail transcriptions and agents' notes. An agent's own outbound reply and a playbook's writing are not
the customer's words and are not checked."""

from __future__ import annotations

from django.dispatch import receiver

from caredesk.review import actions
from caredesk.tickets.models import Interaction
from caredesk.tickets.signals import interaction_added, ticket_changed, ticket_created

CHECKED_FIELDS = {"subject", "description"}


def texts_of(interaction: Interaction) -> list[str]:
    """The texts of a timeline entry worth checking; empty for an agent's outbound message."""
    if interaction.kind == Interaction.Kind.MESSAGE and interaction.direction == Interaction.Direction.OUTBOUND:
        return []
    subject = interaction.details.get("subject") if isinstance(interaction.details, dict) else None
    return [text for text in (subject if isinstance(subject, str) else "", interaction.body,
                              interaction.reason_for_call, interaction.actions_taken) if text]


@receiver(ticket_created, dispatch_uid="review.on_ticket_created")
def on_ticket_created(sender, ticket, actor, **kwargs):
    actions.review_texts(ticket, [ticket.subject, ticket.description])


@receiver(ticket_changed, dispatch_uid="review.on_ticket_changed")
def on_ticket_changed(sender, ticket, changes, actor, **kwargs):
    texts = [after for field, _, after in changes if field in CHECKED_FIELDS and isinstance(after, str)]
    if texts and actor.kind != "playbook":
        actions.review_texts(ticket, texts)


@receiver(interaction_added, dispatch_uid="review.on_interaction")
def on_interaction(sender, ticket, interaction, actor, **kwargs):
    if actor.kind == "playbook":
        return
    texts = texts_of(interaction)
    if texts:
        actions.review_texts(ticket, texts, interaction=interaction)

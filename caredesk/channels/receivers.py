"""Agents' public replies and playbooks' automatic messages go into the outbox, inside the change's transaction.

tickets and playbooks never import channels: they send signals, and these receivers write the outbox rows.
"""

from __future__ import annotations

from django.dispatch import receiver

from caredesk.channels import outbox
from caredesk.playbooks.signals import message_requested
from caredesk.tickets.models import Interaction
from caredesk.tickets.signals import interaction_added

SENT_CHANNELS = ("email", "sms")


@receiver(interaction_added, dispatch_uid="channels.send_agent_messages")
def send_agent_message(sender, ticket, interaction, actor, **kwargs):
    if (
        actor.kind == "agent" and interaction.kind == Interaction.Kind.MESSAGE
        and interaction.direction == Interaction.Direction.OUTBOUND and interaction.channel in SENT_CHANNELS
    ):
        outbox.queue_agent_message(ticket, interaction, actor)


@receiver(message_requested, dispatch_uid="channels.send_playbook_messages")
def send_playbook_message(sender, run, ticket, message_key, channel, template, to=(), **kwargs):
    return outbox.queue_playbook_message(run=run, ticket=ticket, message_key=message_key, channel=channel,
                                         template=template, to=tuple(to or ()))

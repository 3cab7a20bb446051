"""Turns what happens to a ticket into playbook events and triggers, inside the change's transaction.

Changes a playbook makes itself are not fed back to playbooks.
"""

from __future__ import annotations

from django.dispatch import receiver

from caredesk.playbooks import actions, runner
from caredesk.tickets.models import Interaction
from caredesk.tickets.signals import interaction_added, ticket_changed

# An agent's outbound message on these channels ticks the same channel of an open attempt's checklist.
TICKED_CHANNELS = {"email": "email", "sms": "text"}

CALL_OUTCOME_EVENTS = {
    Interaction.CallOutcome.MISSED: "call_missed",
    Interaction.CallOutcome.VOICEMAIL_LEFT: "call_missed",  # the customer called and got voicemail
    Interaction.CallOutcome.ABANDONED: "call_abandoned",
}


def event_of(interaction: Interaction, actor) -> dict | None:
    """The playbook event an interaction means, as Event fields, or None."""
    inbound = interaction.direction == Interaction.Direction.INBOUND
    if interaction.kind == Interaction.Kind.CALL:
        if inbound and interaction.call_outcome in CALL_OUTCOME_EVENTS:
            return {"kind": CALL_OUTCOME_EVENTS[interaction.call_outcome]}
        answered = interaction.call_outcome == Interaction.CallOutcome.ANSWERED
        if actor.kind == "agent":
            return {"kind": "call_logged", "reached": answered, "has_call_notes": interaction.has_call_notes}
        return {"kind": "call_answered"} if answered else None
    if interaction.kind == Interaction.Kind.MESSAGE and inbound and interaction.author_customer_id:
        if interaction.channel == "email" and interaction.details.get("thread") == "new":
            return {"kind": "customer_new_email"}
        return {"kind": "customer_reply"}
    return None


@receiver(interaction_added, dispatch_uid="playbooks.on_interaction")
def on_interaction(sender, ticket, interaction, actor, **kwargs):
    if actor.kind == "playbook":
        return
    event = event_of(interaction, actor)
    if event is not None:
        kind = event.pop("kind")
        runner.dispatch(ticket, kind, agent=actor.agent, **event)
    is_customer_email = (
        interaction.kind == Interaction.Kind.MESSAGE and interaction.channel == "email"
        and interaction.direction == Interaction.Direction.INBOUND and interaction.author_customer_id
    )
    if is_customer_email:
        runner.start_triggered(ticket, "customer_email_on_ticket")
    if (actor.kind == "agent" and interaction.kind == Interaction.Kind.MESSAGE
            and interaction.direction == Interaction.Direction.OUTBOUND and interaction.channel in TICKED_CHANNELS):
        actions.tick_channel_tried(ticket, TICKED_CHANNELS[interaction.channel], actor=actor, interaction=interaction)


@receiver(ticket_changed, dispatch_uid="playbooks.on_ticket_changed")
def on_ticket_changed(sender, ticket, changes, actor, **kwargs):
    if actor.kind == "playbook":
        return
    for field, _, after in changes:
        if field != "status":
            continue
        if after == "solved":
            runner.dispatch(ticket, "ticket_solved", agent=actor.agent)
        elif after == "closed":
            runner.dispatch(ticket, "ticket_closed", agent=actor.agent)
        elif after == "pending":
            runner.start_triggered(ticket, "ticket_pending")

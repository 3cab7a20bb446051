"""Keeps priority and the SLA clocks current, inside the transaction of the change that moves them: a new
ticket is assessed (an important customer's or contract's priority raised) and its clocks start; a message,
a call, a status, priority, group, type, requester or order change, or an update promised to an escalated
customer (SOP 002) replays its clocks. An admin's edit of a
policy or a calendar marks the open clocks for the sweep to recompute."""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from caredesk.calendars.signals import calendar_saved
from caredesk.escalations.signals import update_promised
from caredesk.sla import actions
from caredesk.sla.models import ImportanceRule, SlaPolicy, SlaTargetSpec
from caredesk.tickets.models import Interaction
from caredesk.tickets.signals import interaction_added, ticket_changed, ticket_created

CLOCK_FIELDS = {"status", "priority", "group", "ticket_type", "requester", "order"}
REPLAYED_KINDS = (Interaction.Kind.MESSAGE, Interaction.Kind.CALL)


@receiver(ticket_created, dispatch_uid="sla.on_ticket_created")
def on_ticket_created(sender, ticket, actor, **kwargs):
    actions.assess_new_ticket(ticket)
    actions.recompute([ticket.pk])


@receiver(interaction_added, dispatch_uid="sla.on_interaction")
def on_interaction(sender, ticket, interaction, actor, **kwargs):
    if interaction.kind in REPLAYED_KINDS:
        actions.recompute([ticket.pk], tickets=[ticket])


@receiver(ticket_changed, dispatch_uid="sla.on_ticket_changed")
def on_ticket_changed(sender, ticket, changes, actor, **kwargs):
    fields = sorted({field for field, _, _ in changes} & CLOCK_FIELDS)
    if fields:
        actions.recompute([ticket.pk], reason=f"{' and '.join(fields)} changed".replace("_", " "), tickets=[ticket])


@receiver(update_promised, dispatch_uid="sla.on_update_promised")
def on_update_promised(sender, escalation, ticket, **kwargs):
    actions.recompute([ticket.pk], reason="an update was promised")


@receiver(post_save, sender=SlaPolicy, dispatch_uid="sla.on_policy_saved")
@receiver(post_delete, sender=SlaPolicy, dispatch_uid="sla.on_policy_deleted")
def on_policy_saved(sender, instance, **kwargs):
    actions.configuration_changed()
    actions.policies_changed(policy_ids=[instance.pk])


@receiver(post_save, sender=SlaTargetSpec, dispatch_uid="sla.on_target_saved")
@receiver(post_delete, sender=SlaTargetSpec, dispatch_uid="sla.on_target_deleted")
def on_target_saved(sender, instance, **kwargs):
    actions.configuration_changed()
    actions.policies_changed(policy_ids=[instance.policy_id])


@receiver(m2m_changed, sender=SlaPolicy.ticket_types.through, dispatch_uid="sla.on_policy_types")
@receiver(m2m_changed, sender=SlaPolicy.groups.through, dispatch_uid="sla.on_policy_groups")
@receiver(m2m_changed, sender=SlaPolicy.industries.through, dispatch_uid="sla.on_policy_industries")
def on_conditions_changed(sender, action, **kwargs):
    if action.startswith("post_"):
        actions.configuration_changed()


@receiver(post_save, sender=ImportanceRule, dispatch_uid="sla.on_importance_rule_saved")
def on_importance_rule_saved(sender, instance, **kwargs):
    actions.configuration_changed()


@receiver(calendar_saved, dispatch_uid="sla.on_calendar_saved")
def on_calendar_saved(sender, calendar, **kwargs):
    actions.configuration_changed()
    actions.policies_changed()

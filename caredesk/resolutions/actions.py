"""The only writers of resolutions and feedback, each with a TicketEvent on the ticket's trail.

`solve` records a ticket's resolution and solves it in one transaction; what the team requires of a resolution
(`ResolutionRule`) is checked in the tickets' one solve path (the `ticket_solving` receiver below), so the API,
the workspace, bulk changes and the properties editor all obey it. A playbook that solves a ticket records its
own outcome (`PlaybookOutcome`). The confirmation (SOP 004 "Confirm Problem Resolution") is recorded by the
agent (`record_confirmation`) or asked of the customer by a message on their preferred channel
(`send_confirmation`) whose signed link answers "still not fixed" (`customer_not_fixed`, which reopens the
ticket) or "fixed" (`customer_confirmed`); the auto-close waits for it. `share_feedback` marks an internal
note as feedback for another team.
Event kinds: resolution.recorded, resolution.confirmed, resolution.confirmation_sent, resolution.not_fixed,
feedback.shared.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from caredesk.channels.models import OutboundMessage
from caredesk.channels.rendering import TemplateUnavailable, render_message_template
from caredesk.core import clock
from caredesk.core.audit import Actor
from caredesk.core.errors import Conflict, ValidationFailed
from caredesk.customers import actions as customer_actions
from caredesk.customers.models import Customer
from caredesk.knowledge.models import Article
from caredesk.resolutions import rules, tokens
from caredesk.resolutions.defaults import CONFIRMATION_TEMPLATE
from caredesk.resolutions.models import (
    Feedback, FeedbackTeam, PlaybookOutcome, Resolution, ResolutionCode, RootCause,
)
from caredesk.resolutions.queries import current_resolution, entries_for, rule_for
from caredesk.tickets import actions as ticket_actions
from caredesk.tickets import use_cases
from caredesk.tickets.lifecycle import ACTIVE_STATUSES
from caredesk.tickets.models import Channel, Interaction, Status, Ticket

Confirmation = Resolution.Confirmation
MAX_SUMMARY = 4000
NO_REFERENCE = {"article": None, "knowledge_base_reference": "", "linked_ticket": None}  # what a solution reuses


@dataclass
class NewResolution:
    """What an agent gives when solving: the lists' entries, texts, and what to do about the
    customer's confirmation (rules.CONFIRMATION_CHOICES; empty: rules.default_confirmation)."""

    root_cause: str = ""  # keys of the lists' entries
    resolution_code: str = ""
    summary: str = ""
    article: int | None = None  # an article of caredesk's knowledge base, published
    knowledge_base_reference: str = ""
    linked_ticket: int | None = None
    confirmation: str = ""
    confirmed_by: str = ""  # rules.CONFIRMED_BY, with confirmation "confirmed"


def _entry(model, key: str, ticket: Ticket, field: str):
    if not key:
        return None
    entry = entries_for(model, ticket.ticket_type_id).filter(key=key).first()
    if entry is None:
        label = model._meta.verbose_name
        raise ValidationFailed(f"There is no active {label} {key!r} for this ticket's type.", field=field)
    return entry


def _checked(ticket: Ticket, new: NewResolution) -> dict:
    summary = (new.summary or "").strip()
    if len(summary) > MAX_SUMMARY:
        raise ValidationFailed(f"A resolution summary has at most {MAX_SUMMARY} characters.", field="summary")
    reference = (new.knowledge_base_reference or "").strip()
    if len(reference) > 500:
        raise ValidationFailed("A knowledge-base reference has at most 500 characters.",
                               field="knowledge_base_reference")
    article = None
    if new.article is not None:
        article = Article.objects.filter(pk=new.article, status=Article.Status.PUBLISHED).first()
        if article is None:
            raise ValidationFailed(f"There is no published knowledge-base article #{new.article}.", field="article")
    linked = None
    if new.linked_ticket is not None:
        linked = Ticket.objects.filter(pk=new.linked_ticket).first()
        if linked is None or linked.pk == ticket.pk:
            raise ValidationFailed(f"Link another existing ticket, not #{new.linked_ticket}.", field="linked_ticket")
    values = {"root_cause": _entry(RootCause, new.root_cause, ticket, "root_cause"),
              "resolution_code": _entry(ResolutionCode, new.resolution_code, ticket, "resolution_code"),
              "summary": summary, "article": article, "knowledge_base_reference": reference, "linked_ticket": linked}
    missing = rules.missing_fields(rule_for(ticket).required_fields, given(values))
    if missing:
        raise ValidationFailed(rules.REQUIRABLE_FIELDS[missing[0]], field=missing[0])
    if new.confirmation and new.confirmation not in rules.CONFIRMATION_CHOICES:
        raise ValidationFailed(f"Confirmation is one of {', '.join(rules.CONFIRMATION_CHOICES)}.",
                               field="confirmation")
    if new.confirmation == rules.CONFIRMED and new.confirmed_by not in rules.CONFIRMED_BY:
        raise ValidationFailed(f"Say how the customer confirmed: {', '.join(rules.CONFIRMED_BY)}.",
                               field="confirmed_by")
    return values


def given(values: dict) -> dict[str, bool]:
    """Which of rules.REQUIRABLE_FIELDS `values` (a resolution's fields) fill in."""
    return {"root_cause": values["root_cause"] is not None, "resolution_code": values["resolution_code"] is not None,
            "summary": bool(values["summary"]),
            "reference": values["article"] is not None or bool(values["knowledge_base_reference"])
            or values["linked_ticket"] is not None}


def _audit(resolution: Resolution) -> dict:
    def entry(value):
        return None if value is None else {"id": value.pk, "name": value.name}

    return {"root_cause": entry(resolution.root_cause),
            "resolution_code": entry(resolution.resolution_code), "summary": resolution.summary,
            "article": None if resolution.article is None else {"id": resolution.article.pk,
                                                                 "name": resolution.article.title},
            "knowledge_base_reference": resolution.knowledge_base_reference,
            "linked_ticket": resolution.linked_ticket_id}


def _write(ticket: Ticket, actor: Actor, values: dict) -> Resolution:
    Resolution.objects.filter(ticket=ticket, current=True).update(current=False)  # replaced
    now = clock.now()
    resolution = Resolution.objects.create(
        ticket=ticket, recorded_by=actor.agent, recorded_label="" if actor.agent else actor.label,
        recorded_at=now, recorded_week=rules.week_of(now.astimezone(UTC)), **values)
    ticket_actions.record_event(actor, ticket, "resolution.recorded", field="resolution", after=_audit(resolution))
    return resolution


def solve(ticket: Ticket, *, actor: Actor, resolution: NewResolution, solve: bool = True) -> Resolution:
    """Record the ticket's resolution and, unless `solve` is false, solve it and settle the confirmation."""
    values = _checked(ticket, resolution)
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().select_related("requester").get(pk=ticket.pk)
        if ticket.is_closed:
            raise Conflict("A closed ticket keeps the resolution it was closed with.", field="status")
        recorded = _write(ticket, actor, values)
        if not solve:
            return recorded
        ticket = ticket_actions.update_ticket(ticket, actor=actor, status=Status.SOLVED)
        return _settle_confirmation(ticket, recorded, actor, resolution)


def _settle_confirmation(ticket: Ticket, resolution: Resolution, actor: Actor, new: NewResolution) -> Resolution:
    if not rule_for(ticket).confirmation_required:
        return resolution
    if new.confirmation == rules.CONFIRMED:
        return _confirmed(resolution, actor, new.confirmed_by)
    if (new.confirmation or default_confirmation(ticket.requester)) == rules.LATER:
        resolution.confirmation = Confirmation.AWAITED
        resolution.save(update_fields=["confirmation"])
        return resolution
    return _send(ticket, resolution, actor)


def _confirmed(resolution: Resolution, actor: Actor, channel: str, note: str = "") -> Resolution:
    resolution.confirmation, resolution.confirmation_channel = Confirmation.CONFIRMED, channel
    resolution.confirmation_note, resolution.confirmed_at = note, clock.now()
    resolution.save(update_fields=["confirmation", "confirmation_channel", "confirmation_note", "confirmed_at"])
    ticket_actions.record_event(actor, resolution.ticket, "resolution.confirmed", field="resolution",
                                after={"resolution": resolution.pk, "channel": channel})
    return resolution


def default_confirmation(customer: Customer) -> str:
    return rules.default_confirmation(customer.preferred_channel, has_email=bool(customer.emails),
                                      has_phone=bool(customer.phones))


def confirmation_channel(customer: Customer) -> str | None:
    return rules.confirmation_channel(customer.preferred_channel, has_email=bool(customer.emails),
                                      has_phone=bool(customer.phones))


def public_url(name: str, token: str) -> str:
    return f"{settings.PUBLIC_URL}{reverse(name, args=[token])}"


def _send(ticket: Ticket, resolution: Resolution, actor: Actor) -> Resolution:
    """The confirmation message on the customer's preferred channel, as the agent's reply: the outbox sends it
    in this transaction's commit."""
    channel = confirmation_channel(ticket.requester)
    if channel is None:
        raise ValidationFailed(f"{ticket.requester} has no email address or phone number to ask; record their "
                               "confirmation instead.", field="confirmation")
    links = {"confirmation_url": public_url("resolutions:confirm", tokens.sign(tokens.CONFIRMATION, resolution.pk)),
             "preferences_url": public_url("resolutions:preferences",
                                           tokens.sign(tokens.PREFERENCES, ticket.requester_id))}
    try:
        _, body = render_message_template(CONFIRMATION_TEMPLATE, "email" if channel == "email" else "text", ticket,
                                          links)
    except TemplateUnavailable as error:
        raise Conflict(f"The confirmation message cannot be written: {error}.", field="confirmation") from None
    message = ticket_actions.add_interaction(
        ticket, actor=actor, channel=Channel.EMAIL if channel == "email" else Channel.SMS,
        direction=Interaction.Direction.OUTBOUND, kind=Interaction.Kind.MESSAGE, body=body,
        details={"resolution": resolution.pk, "template": CONFIRMATION_TEMPLATE})
    outbound = OutboundMessage.objects.filter(interaction=message).values_list("pk", flat=True).first()
    resolution.confirmation, resolution.confirmation_channel = Confirmation.SENT, channel
    resolution.confirmation_sent_at = message.occurred_at
    resolution.save(update_fields=["confirmation", "confirmation_channel", "confirmation_sent_at"])
    ticket_actions.record_event(actor, ticket, "resolution.confirmation_sent", field="resolution",
                                interaction=message, after={"resolution": resolution.pk, "channel": channel,
                                                            "outbound": outbound})
    return resolution


def _open_resolution(ticket: Ticket) -> Resolution:
    resolution = current_resolution(ticket, for_update=True)
    if resolution is None or ticket.status != Status.SOLVED:
        raise Conflict("Only a solved ticket's resolution is confirmed.", field="confirmation")
    return resolution


@transaction.atomic
def record_confirmation(ticket: Ticket, *, actor: Actor, confirmed_by: str, note: str = "") -> Resolution:
    """The agent heard the customer confirm the resolution (SOP 004 "Confirm Problem Resolution")."""
    if confirmed_by not in rules.CONFIRMED_BY:
        raise ValidationFailed(f"Say how the customer confirmed: {', '.join(rules.CONFIRMED_BY)}.",
                               field="confirmed_by")
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    return _confirmed(_open_resolution(ticket), actor, confirmed_by, (note or "").strip()[:MAX_SUMMARY])


@transaction.atomic
def send_confirmation(ticket: Ticket, *, actor: Actor) -> Resolution:
    """Ask the customer again, on their preferred channel; the auto-close waits from now."""
    ticket = Ticket.objects.select_for_update().select_related("requester").get(pk=ticket.pk)
    resolution = _open_resolution(ticket)
    if resolution.confirmation == Confirmation.CONFIRMED:
        raise Conflict("The customer has confirmed this resolution already.", field="confirmation")
    return _send(ticket, resolution, actor)


def _linked_resolution(token: str) -> Resolution:
    resolution = Resolution.objects.select_related("ticket__requester").filter(
        pk=tokens.unsign(tokens.CONFIRMATION, token)).first()
    if resolution is None:
        raise tokens.InvalidLink("This link is not valid any more.")
    return resolution


def resolution_from_link(token: str) -> Resolution:
    """The resolution a confirmation link names; tokens.InvalidLink when it is not valid."""
    return _linked_resolution(token)


@transaction.atomic
def customer_not_fixed(token: str, *, comment: str = "") -> Ticket:
    """The customer says the problem is still not fixed: the ticket reopens (a closed one gets a follow-up
    ticket, as any customer message does). Returns the ticket the message landed on."""
    resolution = _linked_resolution(token)
    customer = resolution.ticket.requester
    actor = Actor.customer(customer.name)
    if resolution.current and resolution.confirmation != Confirmation.NOT_FIXED:
        resolution.confirmation = Confirmation.NOT_FIXED
        resolution.save(update_fields=["confirmation"])
        ticket_actions.record_event(actor, resolution.ticket, "resolution.not_fixed", field="resolution",
                                    after={"resolution": resolution.pk})
    body = "Still not fixed." + (f"\n\n{comment.strip()[:MAX_SUMMARY]}" if (comment or "").strip() else "")
    message = ticket_actions.receive_customer_message(resolution.ticket, customer=customer, channel=Channel.WEB,
                                                      body=body, actor=actor)
    return message.ticket


@transaction.atomic
def customer_confirmed(token: str) -> Resolution:
    """The customer says it is fixed, from the confirmation link."""
    resolution = _linked_resolution(token)
    if not resolution.current or resolution.confirmation in (Confirmation.CONFIRMED, Confirmation.NOT_FIXED):
        return resolution
    return _confirmed(resolution, Actor.customer(resolution.ticket.requester.name), "link")


def customer_from_link(token: str) -> Customer:
    customer = Customer.objects.filter(pk=tokens.unsign(tokens.PREFERENCES, token)).first()
    if customer is None:
        raise tokens.InvalidLink("This link is not valid any more.")
    return customer


def set_preferred_channel(customer: Customer, channel: str) -> Customer:
    """The customer chose how they prefer to be contacted (from a message's link or the confirmation page)."""
    if channel not in Customer.PreferredChannel.values:
        raise ValidationFailed(f"Choose one of {', '.join(Customer.PreferredChannel.values)}.",
                               field="preferred_channel")
    return customer_actions.update_customer(customer, actor=Actor.customer(customer.name), preferred_channel=channel)


@transaction.atomic
def share_feedback(ticket: Ticket, *, actor: Actor, team: str, body: str = "",
                   note: int | None = None) -> Feedback:
    """Mark an internal note of the ticket (`note`), or a new one (`body`), as feedback for `team`."""
    chosen = FeedbackTeam.objects.filter(key=team, active=True).first() if team else None
    if chosen is None:
        raise ValidationFailed("Choose the team the feedback is for.", field="team")
    if note is not None:
        interaction = Interaction.objects.filter(pk=note, ticket=ticket, kind=Interaction.Kind.NOTE).first()
        if interaction is None:
            raise ValidationFailed(f"#{ticket.pk} has no internal note #{note}.", field="note")
        if Feedback.objects.filter(note=interaction).exists():
            raise Conflict("This note is already shared as feedback.", field="note")
    elif not (body or "").strip():
        raise ValidationFailed("Write the feedback, or choose a note of the ticket.", field="body")
    else:
        interaction = use_cases.add_note(ticket, actor=actor, body=body)
    feedback = Feedback.objects.create(ticket=ticket, note=interaction, team=chosen, shared_by=actor.agent,
                                       shared_at=clock.now())
    ticket_actions.record_event(actor, ticket, "feedback.shared", field="feedback", interaction=interaction,
                                after={"feedback": feedback.pk, "team": {"id": chosen.pk, "name": chosen.name}})
    return feedback


# --- receivers of the tickets' signals (connected in apps.py) ---------------------------------------


def check_solving(sender, ticket: Ticket, actor: Actor, **kwargs) -> None:
    """An agent solves a ticket only with the resolution fields the team requires."""
    if actor.kind != "agent":
        return
    resolution = current_resolution(ticket)
    values = {"root_cause": None, "resolution_code": None, "summary": "", **NO_REFERENCE}
    if resolution is not None:
        values = {name: getattr(resolution, name) for name in values}
    missing = rules.missing_fields(rule_for(ticket).required_fields, given(values))
    if missing:
        raise ValidationFailed(f"Record the resolution before solving: {rules.REQUIRABLE_FIELDS[missing[0]]}",
                               field="status")


def follow_status(sender, ticket: Ticket, actor: Actor, changes, **kwargs) -> None:
    """A reopened ticket's resolution stops being current; a ticket a playbook solves records its outcome."""
    for field, before, after in changes:
        if field != "status":
            continue
        if before == Status.SOLVED and after in ACTIVE_STATUSES:
            Resolution.objects.filter(ticket=ticket, current=True).update(current=False)
        elif after == Status.SOLVED and actor.kind != "agent" and current_resolution(ticket) is None:
            _write(ticket, actor, _automatic_outcome(actor))


def _automatic_outcome(actor: Actor) -> dict:
    playbook = actor.label.rsplit("@", 1)[0] if actor.kind == "playbook" else ""
    outcome = PlaybookOutcome.objects.select_related("root_cause", "resolution_code").filter(
        playbook=playbook).first() if playbook else None
    return {"root_cause": outcome.root_cause if outcome else None,
            "resolution_code": outcome.resolution_code if outcome else None,
            "summary": outcome.summary if outcome else f"Solved by {actor.label}.", **NO_REFERENCE}


def auto_close_holds(sender, cutoff: datetime, **kwargs):
    """The solved tickets whose resolution waits for the customer's confirmation: awaited from the agent, or
    asked by a message sent less than the auto-close delay ago."""
    return Exists(Resolution.objects.filter(ticket=OuterRef("pk"), current=True).filter(
        Q(confirmation=Confirmation.AWAITED) | Q(confirmation=Confirmation.SENT, confirmation_sent_at__gt=cutoff)))


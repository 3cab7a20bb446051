"""The only writers of escalations, each with a TicketEvent on the ticket's timeline.

Escalation is never offered (SOP 003): an escalation exists only once an agent records that the customer
asked (`record_request`). The agent then records the customer's choice (`record_choice`): waiting for an
update starts the escalation playbook; refusing starts the warm-transfer ladder (`ladder.py`), whose rungs
time out through `sweep_due` in the worker. Event kinds: escalation.requested, escalation.agreed_to_wait,
escalation.refused_to_wait, escalation.transfer_rung, escalation.transfer_rung_skipped,
escalation.transfer_timed_out, escalation.transfer_answered, escalation.transfer_declined,
escalation.transfer_accepted, escalation.voicemail, escalation.voicemail_recorded, escalation.called_back.
"""

from __future__ import annotations

from django.db import transaction

from caredesk.core import clock
from caredesk.core.audit import Actor
from caredesk.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from caredesk.core.models import Agent
from caredesk.escalations import ladder, signals
from caredesk.escalations.models import IN_PROGRESS, Escalation
from caredesk.escalations.telephony import transfer_provider
from caredesk.playbooks import actions as playbook_actions
from caredesk.playbooks import registry, runner
from caredesk.playbooks.models import FollowUpTask, PlaybookRun
from caredesk.playbooks.spec import Playbook
from caredesk.playbooks.spec import Escalation as EscalationRules
from caredesk.tickets import actions as ticket_actions
from caredesk.tickets.models import Channel, Interaction, Ticket, TicketEvent

LADDER = Actor.system("escalation ladder")
AGREED_TO_WAIT_TRIGGER = "escalation_agreed_to_wait"
VOICEMAIL_TRIGGER = "escalation_voicemail"  # starts the voicemail's callback playbook (a task due, then overdue)
REQUESTED_EVENT = "escalation_requested"


def escalation_playbook() -> Playbook:
    """The playbook in force with an `escalation` section (irate_customer_escalation by default)."""
    playbook = next((playbook for playbook in sorted(registry.in_force(), key=lambda each: each.name)
                     if playbook.escalation is not None), None)
    if playbook is None:
        raise Conflict("No playbook in force defines how to escalate (an 'escalation' section).", field="ticket")
    return playbook


def rules_of(escalation: Escalation) -> EscalationRules:
    return registry.playbook_of(escalation.definition).escalation


def _event(actor: Actor, escalation: Escalation, kind: str, description: str, **details) -> TicketEvent:
    return TicketEvent.build(actor, f"escalation.{kind}", ticket=escalation.ticket, field="escalation", after={
        "escalation": escalation.pk, "description": description, **details})


def _record(actor: Actor, escalation: Escalation, kind: str, description: str, **details) -> None:
    ticket_actions.record_events([_event(actor, escalation, kind, description, **details)])


def _locked(escalation: Escalation | int) -> Escalation:
    """The escalation's row, locked, with its ticket and playbook (`escalation` or its id)."""
    pk = escalation if isinstance(escalation, int) else escalation.pk
    locked = (Escalation.objects.select_for_update(of=("self",)).select_related("ticket", "definition")
              .filter(pk=pk).first())
    if locked is None:
        raise NotFound("No such escalation.", field="escalation")
    return locked


@transaction.atomic
def record_request(ticket: Ticket, *, agent: Agent, reason: str = "") -> Escalation:
    """The customer asked to be escalated or to speak with leadership: tag the ticket, stop the general
    follow-up (its stop rule `escalation_requested`), and offer the agent the customer's two choices."""
    ticket = Ticket.objects.select_for_update(of=("self",)).get(pk=ticket.pk)
    if ticket.is_closed:
        raise Conflict("A closed ticket cannot be escalated; a new message creates a follow-up ticket.",
                       field="ticket")
    if Escalation.objects.filter(ticket=ticket, status__in=IN_PROGRESS).exists():
        raise Conflict("This ticket's escalation is already in progress.", field="ticket")
    playbook = escalation_playbook()
    now = clock.now()
    escalation = Escalation.objects.create(
        ticket=ticket, definition=registry.definition_for(playbook), reason=reason.strip()[:2000],
        requested_by=agent, requested_at=now, updated_at=now,
    )
    actor = Actor.of_agent(agent)
    _record(actor, escalation, "requested", "the customer asked to be escalated", reason=escalation.reason)
    tags = list(ticket.tags.values_list("name", flat=True))
    tag = playbook.escalation.tag
    if tag not in tags:
        ticket_actions.update_ticket(ticket, actor=actor, tags=[*tags, tag])
    runner.dispatch(ticket, REQUESTED_EVENT, agent=agent)
    return escalation


@transaction.atomic
def record_choice(escalation: Escalation, *, agent: Agent, waits: bool, call_sid: str = "") -> Escalation:
    """The customer agrees to wait for an update within a business day (the escalation playbook starts),
    or refuses (the agent says the playbook's words, then the ladder rings its first rung). `call_sid` is the
    customer's live call at the phone provider: the transfer provider then moves that call down the ladder."""
    escalation = _locked(escalation)
    if escalation.status != Escalation.Status.REQUESTED:
        raise Conflict(f"The customer's choice is already recorded ({escalation.get_status_display()}).",
                       field="choice")
    now, actor = clock.now(), Actor.of_agent(agent)
    escalation.decided_at = now
    if waits:
        escalation.status = Escalation.Status.WAITING_FOR_UPDATE
        _save(escalation, now)
        _record(actor, escalation, "agreed_to_wait", "the customer agreed to wait for an update within 1 business day")
        signals.update_promised.send(sender=Escalation, escalation=escalation, ticket=escalation.ticket)
        runner.start_triggered(escalation.ticket, AGREED_TO_WAIT_TRIGGER)
        return escalation
    rules = rules_of(escalation)
    escalation.call_sid = call_sid.strip()[:64]
    _record(actor, escalation, "refused_to_wait", "the customer refused to wait; the agent said: "
            f'"{rules.say_before_transfer}"', said=rules.say_before_transfer)
    available = _candidates(rules, escalation)
    step = ladder.begin(rules.transfer, available, now)
    escalation = _apply(escalation, rules, step, LADDER, now, known=available.usernames)
    provider = transfer_provider()
    transaction.on_commit(lambda: provider.start(escalation))
    return escalation


@transaction.atomic
def answer(escalation: Escalation, *, agent: Agent) -> Escalation:
    """A ringing agent answers and discusses the customer's concern with the transferring agent."""
    escalation = _locked(escalation)
    step = _step(lambda: ladder.answer(_state(escalation), agent.pk))
    return _apply(escalation, rules_of(escalation), step, Actor.of_agent(agent), clock.now())


@transaction.atomic
def decline(escalation: Escalation, *, agent: Agent, reason: str = "") -> Escalation:
    """The agent who answered does not accept the handling: the next rung rings."""
    escalation = _locked(escalation)
    rules, now = rules_of(escalation), clock.now()
    available = _candidates(rules, escalation, exclude=agent.pk)
    step = _step(lambda: ladder.decline(rules.transfer, _state(escalation), agent.pk, available, now))
    return _apply(escalation, rules, step, Actor.of_agent(agent), now, known=available.usernames,
                  reason=reason.strip()[:500])


@transaction.atomic
def accept(escalation: Escalation, *, agent: Agent) -> Escalation:
    """The agent who answered accepts the handling: the transfer is complete and the ticket is theirs."""
    escalation = _locked(escalation)
    step = _step(lambda: ladder.accept(_state(escalation), agent.pk))
    escalation = _apply(escalation, rules_of(escalation), step, Actor.of_agent(agent), clock.now())
    ticket_actions.update_ticket(escalation.ticket, actor=Actor.of_agent(agent), assignee=agent)
    return escalation


@transaction.atomic
def ring_unanswered(escalation: Escalation | int, *, rung: int) -> Escalation:
    """The phone system reports that nobody answered rung `rung` (numbered from 1): the next rung rings now,
    without waiting for the sweep. A report about a rung the ladder has left changes nothing. `escalation`
    may be its id: the row is read once, locked (Twilio's callback answers within 100 ms)."""
    escalation = _locked(escalation)
    if escalation.status != Escalation.Status.RINGING or (escalation.rung or 0) + 1 != rung:
        return escalation
    rules, now = rules_of(escalation), clock.now()
    available = _candidates(rules, escalation)
    step = ladder.unanswered(rules.transfer, _state(escalation), available, now)
    return _apply(escalation, rules, step, LADDER, now, known=available.usernames)


@transaction.atomic
def receive_voicemail(escalation: Escalation, *, recording_sid: str, recording_url: str, duration_seconds: int,
                      transcription: str = "") -> Escalation:
    """The voicemail the customer left at the end of the ladder, on the escalation's ticket for the Resolution
    Lead's callback; recorded once by its RecordingSid."""
    escalation = _locked(escalation)
    if not recording_sid:
        raise ValidationFailed("A recording needs the provider's recording id.", field="RecordingSid")
    if escalation.status != Escalation.Status.VOICEMAIL or escalation.voicemail_id:
        return escalation
    ticket = escalation.ticket
    voicemail = Interaction.objects.filter(external_id=recording_sid).first() or ticket_actions.add_interaction(
        ticket, actor=Actor.customer(ticket.requester.name), channel=Channel.VOICEMAIL,
        direction=Interaction.Direction.INBOUND, kind=Interaction.Kind.CALL,
        call_outcome=Interaction.CallOutcome.VOICEMAIL_LEFT, author_customer=ticket.requester,
        external_id=recording_sid, body=transcription or f"Voicemail, {duration_seconds} seconds.",
        details={"provider": "twilio", "call_sid": escalation.call_sid, "recording_sid": recording_sid,
                 "recording_url": recording_url, "duration_seconds": duration_seconds,
                 "transcription": transcription or None, "escalation": escalation.pk},
    )
    escalation.voicemail = voicemail
    _save(escalation, clock.now())
    _record(LADDER, escalation, "voicemail_recorded", "the customer left a voicemail", interaction=voicemail.pk)
    return escalation


@transaction.atomic
def record_callback(escalation: Escalation, *, agent: Agent, note: str = "") -> Escalation:
    """A Resolution Lead called back the customer who left a voicemail."""
    escalation = _locked(escalation)
    if escalation.status != Escalation.Status.VOICEMAIL:
        raise Conflict("This escalation has no voicemail waiting for a callback.", field="escalation")
    if escalation.callback_role not in agent.role_names:
        raise Forbidden(f"Only a {escalation.callback_role} calls back an escalation's voicemail.", field="escalation")
    now = clock.now()
    escalation.status, escalation.called_back_by, escalation.called_back_at = Escalation.Status.CALLED_BACK, agent, now
    _save(escalation, now)
    if escalation.callback_task_id is not None:
        task = escalation.callback_task
        if task.status == FollowUpTask.Status.OPEN:  # the callback playbook ends: the customer was reached
            playbook_actions.complete_task(task, agent=agent, channels_tried=["call"], reached=True)
    _record(Actor.of_agent(agent), escalation, "called_back", "the customer was called back about their voicemail",
            note=note.strip()[:2000])
    return escalation


def sweep_due(batch_size: int = 100) -> int:
    """Move on every rung whose seconds are over: claimed with SKIP LOCKED, so a rung times out once."""
    now = clock.now()
    due = Escalation.objects.filter(status=Escalation.Status.RINGING, next_due_at__lte=now)
    if not due.exists():
        return 0
    with transaction.atomic():
        claimed = list(due.select_for_update(skip_locked=True, of=("self",)).select_related("ticket", "definition")
                       .order_by("next_due_at")[:batch_size])
        for escalation in claimed:
            rules = rules_of(escalation)
            available = _candidates(rules, escalation)
            step = ladder.time_out(rules.transfer, _state(escalation), available, now)
            _apply(escalation, rules, step, LADDER, now, known=available.usernames)
    return len(claimed)


def seconds_until_next_transfer_due() -> float | None:
    """Seconds until the next ringing rung times out (0 if one is overdue), or None when nothing rings."""
    due = (Escalation.objects.filter(status=Escalation.Status.RINGING, next_due_at__isnull=False)
           .order_by("next_due_at").values_list("next_due_at", flat=True).first())
    return None if due is None else max(0.0, (due - clock.now()).total_seconds())


# --- the ladder's state on the row ----------------------------------------------------------------


def _state(escalation: Escalation) -> ladder.LadderState:
    if escalation.status not in ladder.STATUSES:
        return ladder.LadderState(escalation.status, escalation.rung or 0)
    return ladder.LadderState(
        status=escalation.status, rung=escalation.rung or 0,
        ringing=tuple(escalation.ringing.order_by("username").values_list("pk", flat=True)),
        due_at=escalation.next_due_at, answered_by=escalation.answered_by_id,
    )


def _step(decide) -> ladder.Step:
    try:
        return decide()
    except ladder.LadderRefused as refused:
        raise Conflict(str(refused), field="escalation") from None


class _Available(dict):
    """Rung index -> ids of the agents available on it (a `ladder.Candidates`), and their usernames."""

    def __init__(self, usernames: dict[int, str]):
        super().__init__()
        self.usernames = usernames


def _candidates(rules: EscalationRules, escalation: Escalation, exclude: int | None = None) -> _Available:
    """Who each rung would ring now: active, available agents with the rung's role and skill, and their
    usernames (one query)."""
    skills = {rung.skill for rung in rules.transfer}
    rows = list(Agent.objects.filter(is_active=True, presence=Agent.Presence.AVAILABLE, skills__name__in=skills)
                .exclude(pk__in=[escalation.requested_by_id, exclude])
                .values_list("pk", "username", "groups__name", "skills__name").order_by("username"))
    candidates = _Available(usernames={pk: username for pk, username, _, _ in rows})
    for index, rung in enumerate(rules.transfer):
        agents = (pk for pk, _, role, skill in rows if role == rung.role and skill == rung.skill)
        candidates[index] = tuple(dict.fromkeys(agents))
    return candidates


def _apply(escalation: Escalation, rules: EscalationRules, step: ladder.Step, actor: Actor, now,
           known: dict[int, str] | None = None, **details) -> Escalation:
    """Write the ladder's step: its timeline events (together), the row, the agents rung. `known` holds
    usernames already read (the candidates'); the rest are read in one query. Sets `ringing_usernames`
    on the escalation for the TwiML that answers the step."""
    names = dict(known or {})
    missing = {pk for each in step.happened for pk in each.agents} | set(step.state.ringing)
    missing -= names.keys()
    if missing:
        names.update(Agent.objects.filter(pk__in=missing).values_list("pk", "username"))
    events = []
    for happened in step.happened:
        agents = [names[pk] for pk in happened.agents]
        title = rules.transfer[happened.rung].title if happened.rung < len(rules.transfer) else "voicemail"
        extra = {"rung": happened.rung + 1, "rung_title": title, "agents": agents}
        if happened.due_at is not None:
            extra["answer_by"] = happened.due_at.isoformat()
        if happened.kind == "transfer_declined":
            extra.update(details)
        events.append(_event(
            actor if happened.kind in ("transfer_answered", "transfer_declined", "transfer_accepted") else LADDER,
            escalation, happened.kind, _describe(happened, title, agents, rules), **extra))
    ticket_actions.record_events(events)
    state = step.state
    escalation.status, escalation.rung = state.status, state.rung
    escalation.next_due_at = state.due_at if state.status == ladder.RINGING else None
    escalation.answered_by_id = state.answered_by
    reached_voicemail = state.status == ladder.VOICEMAIL and escalation.callback_task_id is None
    if state.status == ladder.VOICEMAIL:
        escalation.callback_role = rules.voicemail_callback_role
        escalation.callback_title = rules.voicemail_callback_task
    if reached_voicemail:
        escalation.callback_task = _start_callback(escalation.ticket)
    _save(escalation, now)
    ringing = Escalation.ringing.through
    ringing.objects.filter(escalation=escalation).delete()
    if state.status == ladder.RINGING:
        ringing.objects.bulk_create(ringing(escalation=escalation, agent_id=pk) for pk in state.ringing)
    escalation.ringing_usernames = sorted(names[pk] for pk in state.ringing) if state.status == ladder.RINGING else []
    return escalation


def _start_callback(ticket: Ticket) -> FollowUpTask | None:
    """The voicemail's callback as a follow-up task: the playbook the trigger `escalation_voicemail` starts
    (`escalation_voicemail_callback` by default) creates it, due at once and overdue at its step's end. A
    callback already running on the ticket is reused; without such a playbook in force there is no task."""
    runs = runner.start_triggered(ticket, VOICEMAIL_TRIGGER)
    callbacks = FollowUpTask.objects.filter(ticket=ticket, status=FollowUpTask.Status.OPEN)
    if runs:
        return callbacks.filter(run__in=runs).order_by("id").first()
    names = [playbook.name for playbook in registry.in_force() if playbook.trigger.event == VOICEMAIL_TRIGGER]
    return (callbacks.filter(run__definition__name__in=names, run__status=PlaybookRun.Status.RUNNING)
            .order_by("-id").first())


def _describe(happened: ladder.Happened, title: str, agents: list[str], rules: EscalationRules) -> str:
    who = ", ".join(agents)
    if happened.kind == "transfer_rung":
        seconds = rules.transfer[happened.rung].answer_within_seconds
        return f"warm transfer to a {title}: ringing {who} for {seconds} seconds"
    return {
        "transfer_rung_skipped": f"no {title} available: the transfer goes on",
        "transfer_timed_out": f"no {title} answered in time",
        "transfer_answered": f"{who} ({title}) answered and is discussing the concern",
        "transfer_declined": f"{who} ({title}) declined the handling: the transfer goes on",
        "transfer_accepted": f"{who} ({title}) accepted the handling: the transfer is complete",
        "voicemail": "nobody took the transfer: the customer leaves a voicemail, and a "
                     f"{rules.voicemail_callback_role} calls them back",
    }[happened.kind]


def _save(escalation: Escalation, now) -> None:
    escalation.updated_at = now
    escalation.save()

"""The only writers of priority assessments, contract tiers and SLA clocks.

Priority: `assess_priority` (impact and urgency), `override_priority` (an agent's, with a required reason),
`clear_override`, and `assess_new_ticket` (a new ticket's priority raised for an important customer or
contract). Each writes its TicketEvent and sets the ticket's priority through the ticket unit of work, so the
change is audited as any other and the clocks recompute.

Clocks: `recompute` replays tickets' histories through the pure `caredesk.sla.clocks` and records what changed
(started, paused, resumed, fulfilled, stopped, breached, recomputed) in the SLA's own append-only log
(SlaEvent) when it is seen, never
back-dated: a breach found late says when it fell due. `sweep_due` is the worker's due-time sweep over the
indexed `TicketSla.next_due_at`: it records the breaches and warnings that fall due, each once (the ticket's
row is locked, on PostgreSQL with SKIP LOCKED, and a target's `breached_at` / `warned_at` is written with
its event in the same transaction). Warnings reach people through `deliver_warnings`, the one place to change
how.
"""

from __future__ import annotations

import time
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import connection, transaction

from caredesk.calendars.hours import BusinessHours
from caredesk.calendars.queries import business_hours, default_calendar
from caredesk.core import audit, clock
from caredesk.core.audit import Actor
from caredesk.core.changes import audit_value
from caredesk.core.db import statements
from caredesk.core.errors import ValidationFailed
from caredesk.customers import actions as customer_actions
from caredesk.customers.models import Customer
from caredesk.desk.queries import members_by_group
from caredesk.notifications.actions import notify_each
from caredesk.sla import clocks, priority, recipients
from caredesk.sla.models import (
    ContractTier, CustomerContract, Impact, ImportanceRule, PriorityMatrixCell, SlaConfiguration, SlaEvent, SlaPolicy,
    SlaTarget, TicketPriority, TicketSla, Urgency,
)
from caredesk.tickets.actions import ticket_changes
from caredesk.tickets.models import Interaction, Priority, Ticket, TicketEvent

SLA = Actor.system("sla")
SWEEP_BATCH = 500
DATE_FORMAT = "%a %d %b %H:%M"
ENDED = (clocks.FULFILLED, clocks.STOPPED)

# --- priority ---------------------------------------------------------------------------------------------


def _levels() -> dict[int, str]:
    return {member.value: member.label for member in Priority}


def _raisers(customer_id: int) -> list[str]:
    """What raises the priority of this customer's tickets, as read now (one query)."""
    importance, tier, tier_raises = Customer.objects.filter(pk=customer_id).values_list(
        "importance", "contract__tier__name", "contract__tier__raises_priority").first()
    raisers = []
    if importance in configuration().raising_importances:
        raisers.append(f"a {Customer.Importance(importance).label} customer")
    if tier_raises:
        raisers.append(f"the {tier} contract")
    return raisers


def _matrix() -> dict[tuple[str, str], int]:
    return {(cell.impact.name, cell.urgency.name): cell.priority
            for cell in PriorityMatrixCell.objects.select_related("impact", "urgency")}


def _assess(ticket: Ticket, row: TicketPriority) -> priority.Assessment:
    return priority.assess(
        levels=_levels(), default=row.base, impact=row.impact.name if row.impact else None,
        urgency=row.urgency.name if row.urgency else None, matrix=_matrix(), raisers=_raisers(ticket.requester_id),
        override=row.override, override_reason=row.override_reason)


def _row(ticket: Ticket) -> TicketPriority:
    row = TicketPriority.objects.select_related("impact", "urgency").filter(ticket=ticket).first()
    return row or TicketPriority(ticket=ticket, base=ticket.priority, explanation="")


def _apply(ticket: Ticket, row: TicketPriority, actor: Actor, kind: str, payload: dict) -> Ticket:
    """Save the assessment, record its event, and set the ticket's priority in one ticket change."""
    assessment = _assess(ticket, row)
    row.explanation, row.updated_at = assessment.explanation(), clock.now()
    with ticket_changes([ticket.pk], actor) as batch, batch.changing(ticket.pk) as change:
        row.save()
        change.record(kind, field="priority_assessment",
                      after={**payload, "priority": _levels()[assessment.priority],
                             "explanation": f"priority {_levels()[assessment.priority]}: {row.explanation}"})
        change.set(priority=assessment.priority)
    return batch.ticket(ticket.pk)


def _entry(model, value, field: str):
    if value in (None, ""):
        return None
    entry = model.objects.filter(pk=value, active=True).first()
    if entry is None:
        raise ValidationFailed(f"Choose an active {model._meta.verbose_name}.", field=field)
    return entry


def assess_priority(ticket: Ticket, *, actor: Actor, impact: int | None, urgency: int | None) -> Ticket:
    """Set the ticket's impact and urgency; the matrix (and what raises it) gives the priority."""
    row = _row(ticket)
    row.impact, row.urgency = _entry(Impact, impact, "impact"), _entry(Urgency, urgency, "urgency")
    return _apply(ticket, row, actor, "priority.assessed",
                  {"impact": audit_value(row.impact), "urgency": audit_value(row.urgency)})


def override_priority(ticket: Ticket, *, actor: Actor, priority_value: int, reason: str) -> Ticket:
    """An agent sets the priority against the matrix; the reason is required and kept with it."""
    Priority.checked(priority_value)
    if not (reason or "").strip():
        raise ValidationFailed("Say why you override the priority.", field="reason")
    row = _row(ticket)
    row.override, row.override_reason = priority_value, reason.strip()
    return _apply(ticket, row, actor, "priority.overridden", {"reason": row.override_reason})


def clear_override(ticket: Ticket, *, actor: Actor) -> Ticket:
    row = _row(ticket)
    if row.override is None:
        raise ValidationFailed("The priority is not overridden.", field="priority")
    row.override, row.override_reason = None, ""
    return _apply(ticket, row, actor, "priority.override.cleared", {})


def assess_new_ticket(ticket: Ticket) -> None:
    """A new ticket's priority: the one it was opened with, raised one level for an important customer or
    contract. Written only when something raises it, so most tickets cost no extra write."""
    if not _raisers(ticket.requester_id):
        return
    _apply(ticket, _row(ticket), Actor.system("priority"), "priority.assessed", {"impact": None, "urgency": None})


def set_contract_tier(customer: Customer, tier: ContractTier | None, *, actor: Actor) -> None:
    before = CustomerContract.objects.select_related("tier").filter(customer=customer).first()
    before_tier = before.tier if before else None
    if before_tier == tier:
        return
    with transaction.atomic():
        if tier is None:
            CustomerContract.objects.filter(customer=customer).delete()
        else:
            CustomerContract.objects.update_or_create(customer=customer,
                                                      defaults={"tier": tier, "updated_at": clock.now()})
        customer_actions.record_event(actor, customer, "contract_tier.changed", field="contract_tier",
                                      before=audit_value(before_tier), after=audit_value(tier))


# --- clocks -----------------------------------------------------------------------------------------------


PROMISE_EVENTS = ("escalation.agreed_to_wait",)  # SOP 002: the customer agreed to wait for an update within 1 day


def history(ticket_ids: Iterable[int]) -> dict[int, list[clocks.Happening]]:
    """Each ticket's history as the clocks read it: creation, status changes, updates promised to the customer,
    customer messages, agents' public replies (messages and calls), in two queries."""
    ids = list(ticket_ids)
    found: dict[int, list[clocks.Happening]] = defaultdict(list)
    events = TicketEvent.objects.filter(ticket_id__in=ids,
                                        action__in=("ticket.created", "status.changed", *PROMISE_EVENTS))
    for ticket_id, action, at, after in events.values_list("ticket_id", "action", "at", "after"):
        if action in PROMISE_EVENTS:
            found[ticket_id].append(clocks.Happening(at, clocks.UPDATE_PROMISED))
            continue
        status = after["status"] if action == "ticket.created" else after
        found[ticket_id].append(clocks.Happening(at, clocks.CREATED if action == "ticket.created" else clocks.STATUS,
                                                 status))
    rows = Interaction.objects.filter(ticket_id__in=ids, kind__in=(Interaction.Kind.MESSAGE, Interaction.Kind.CALL))
    for ticket_id, direction, kind, agent_id, customer_id, at in rows.values_list(
            "ticket_id", "direction", "kind", "author_agent_id", "author_customer_id", "created_at"):
        if direction == Interaction.Direction.OUTBOUND and agent_id:
            found[ticket_id].append(clocks.Happening(at, clocks.AGENT_REPLY))
        elif direction == Interaction.Direction.INBOUND and customer_id and kind == Interaction.Kind.MESSAGE:
            found[ticket_id].append(clocks.Happening(at, clocks.CUSTOMER_MESSAGE))
    return found


@dataclass(frozen=True)
class Policy:
    """A policy as the clocks read it: its row, its conditions as sets, its targets and its calendar's hours."""

    row: SlaPolicy
    priorities: frozenset
    importances: frozenset
    ticket_types: frozenset
    groups: frozenset
    industries: frozenset
    targets: tuple[clocks.Target, ...]
    hours: BusinessHours
    zone: ZoneInfo

    @property
    def pk(self) -> int:
        return self.row.pk

    def matches(self, ticket: Ticket) -> bool:
        """Whether every condition the policy sets holds for the ticket (conditions left empty match all)."""
        industry = ticket.order.industry_id if ticket.order_id else None
        checks = ((self.priorities, ticket.priority), (self.importances, ticket.requester.importance),
                  (self.ticket_types, ticket.ticket_type_id), (self.groups, ticket.group_id),
                  (self.industries, industry))
        return all(not allowed or value in allowed for allowed, value in checks)


@dataclass(frozen=True)
class Configuration:
    token: str | None
    policies: tuple[Policy, ...]  # the active ones, in order
    by_pk: dict[int, Policy]  # every policy, active or not (a ticket's clocks keep its policy's calendar)
    raising_importances: frozenset[str]  # customer importances that raise priority one level


_snapshot: Configuration | None = None


def configuration() -> Configuration:
    """The policies, targets and calendars, read once per process and again when their token changes (one
    small query), so a ticket's change does not read them all each time."""
    global _snapshot
    token = SlaConfiguration.objects.values_list("token", flat=True).first()
    if _snapshot is None or _snapshot.token != token:
        _snapshot = _read_configuration(token)
    return _snapshot


def _read_configuration(token: str | None) -> Configuration:
    default = default_calendar()
    hours_of: dict[int | None, BusinessHours] = {}
    policies = []
    for row in SlaPolicy.objects.select_related("calendar").prefetch_related(
            "targets", "ticket_types", "groups", "industries"):
        calendar = row.calendar or default
        key = calendar.pk if calendar else None
        if key not in hours_of:
            hours_of[key] = business_hours(calendar) if calendar else BusinessHours()
        hours = hours_of[key]
        policies.append(Policy(
            row, frozenset(row.priorities), frozenset(row.importances),
            frozenset(item.pk for item in row.ticket_types.all()), frozenset(item.pk for item in row.groups.all()),
            frozenset(item.pk for item in row.industries.all()),
            tuple(spec.as_target() for spec in row.targets.all()), hours, hours.zone))
    raising = frozenset(ImportanceRule.objects.filter(raises_priority=True).values_list("importance", flat=True))
    return Configuration(token, tuple(policy for policy in policies if policy.row.active),
                         {policy.pk: policy for policy in policies}, raising)


def configuration_changed() -> None:
    """A policy, target, calendar or importance rule changed: every process's snapshot is out of date (a new
    token, written in the change's transaction)."""
    SlaConfiguration.objects.update_or_create(pk=1, defaults={"token": uuid.uuid4().hex})


def _when(instant: datetime | None, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).strftime(DATE_FORMAT) if instant else "—"


def _clock_event(ticket_id: int, kind: str, metric: str, cycle: int, due_at: datetime | None, description: str,
                 now: datetime) -> SlaEvent:
    name = clocks.METRIC_NAMES[metric] + (f" (cycle {cycle})" if cycle > 1 else "")
    event = SlaEvent.build(SLA, f"sla.{kind}", ticket_id=ticket_id, field="sla", after={
        "metric": metric, "cycle": cycle, "due_at": due_at.isoformat() if due_at else None,
        "description": f"{name}: {description}"})
    event.at = now
    return event


@dataclass
class _Writes:
    now: datetime
    events: list[SlaEvent]
    new: list[SlaTarget]
    changed: list[SlaTarget]
    warnings: list[SlaTarget]
    fields: tuple[str, ...] = ()  # the target columns that change; all of TARGET_FIELDS when empty

    def write(self) -> None:
        statements.insert_rows(self.new)  # (nobody reads their ids back)
        statements.update_rows(self.changed, self.fields or TARGET_FIELDS)
        audit.write_all(self.events)  # the SLA's own log


SLA_FIELDS = ["policy", "next_due_at", "next_breach_at", "computed_at", "stale"]
TARGET_FIELDS = ["policy", "target_minutes", "pausing_statuses", "state", "paused_by", "used_seconds", "due_at",
                 "warn_at", "ended_at", "breached_at", "warned_at", "promised"]


def _describe(kind: str, clock_: clocks.Clock, zone: ZoneInfo) -> str:
    if kind == "started":
        return (f"clock started, target {clocks.describe_remaining(clock_.target.seconds)} of business time, "
                f"due {_when(clock_.due_at, zone)}" if clock_.due_at else
                f"clock started, paused while {clock_.paused_by}")
    if kind == "paused":
        return f"paused while {clock_.paused_by}, {clocks.describe_remaining(clock_.remaining_seconds)} left"
    if kind == "resumed":
        promise = " (held to the update promised to the customer)" if clock_.promised else ""
        return f"resumed, due {_when(clock_.due_at, zone)}{promise}"
    if kind == "fulfilled":
        return ("fulfilled late" if clock_.breached else
                f"fulfilled with {clocks.describe_remaining(clock_.remaining_seconds)} to spare")
    return "stopped: the ticket was solved or closed"


def _apply_clock(row: SlaTarget, clock_: clocks.Clock, policy: SlaPolicy, zone: ZoneInfo, writes: _Writes,
                 *, reason: str) -> None:
    """Bring a stored target to the computed clock, recording each change of state."""
    now, ticket_id = writes.now, row.ticket_id
    events = writes.events
    is_new = row.pk is None
    before_state, before_due = row.state, row.due_at
    if is_new:
        events.append(_clock_event(ticket_id, "started", clock_.metric, clock_.cycle, clock_.due_at,
                                   _describe("started", clock_, zone), now))
    row.policy, row.target_minutes = policy, clock_.target.minutes
    row.pausing_statuses, row.promised = sorted(clock_.pausing), clock_.promised
    row.state, row.paused_by, row.used_seconds = clock_.state, clock_.paused_by, clock_.used_seconds
    row.due_at, row.ended_at = clock_.due_at, clock_.ended_at
    if row.warn_at != clock_.warn_at and row.warned_at is None:
        row.warn_at = clock_.warn_at
    if before_state != clock_.state and not (is_new and clock_.state in (clocks.RUNNING, clocks.PAUSED)):
        kind = {clocks.PAUSED: "paused", clocks.FULFILLED: "fulfilled", clocks.STOPPED: "stopped",
                clocks.RUNNING: "resumed"}[clock_.state]
        events.append(_clock_event(ticket_id, kind, clock_.metric, clock_.cycle, clock_.due_at,
                                   _describe(kind, clock_, zone), now))
    elif (not is_new and clock_.state == clocks.RUNNING and before_state == clocks.RUNNING
          and before_due != clock_.due_at and reason):
        events.append(_clock_event(ticket_id, "recomputed", clock_.metric, clock_.cycle, clock_.due_at,
                                   f"due {_when(clock_.due_at, zone)} instead of {_when(before_due, zone)} "
                                   f"({reason})", now))
    if clock_.breached and row.breached_at is None:
        _breach(row, zone, writes, due_at=before_due if clock_.due_at is None else clock_.due_at)
    (writes.new if is_new else writes.changed).append(row)


def _breach(row: SlaTarget, zone: ZoneInfo, writes: _Writes, *, due_at: datetime | None) -> None:
    row.breached_at = writes.now
    writes.events.append(_clock_event(row.ticket_id, "breached", row.metric, row.cycle, due_at,
                                      f"BREACHED, it was due {_when(due_at, zone)}", writes.now))


def _schedule(sla: TicketSla, rows: Iterable[SlaTarget], now: datetime) -> None:
    """The ticket's next due time for the sweep (a warning or a breach to record) and its next breach."""
    due, breach = [], []
    for row in rows:
        if row.state != clocks.RUNNING or row.due_at is None:
            continue
        breach.append(row.due_at)
        if row.breached_at is None:
            due.append(row.due_at)
            if row.warn_at is not None and row.warned_at is None:
                due.append(row.warn_at)
    sla.next_due_at, sla.next_breach_at = min(due, default=None), min(breach, default=None)
    sla.computed_at, sla.stale = now, False


def recompute(ticket_ids: Iterable[int], *, reason: str = "", tickets: list[Ticket] | None = None) -> None:
    """Replay each ticket's history under the policy that matches it now and record what changed. `reason`
    (e.g. "priority changed") is written with the due times it moves. `tickets` are the tickets as the caller
    holds them, current (a ticket change's own); without them they are read afresh. Callers hold the tickets
    (an agent's change, the sweep)."""
    ids = sorted(set(ticket_ids))
    if not ids:
        return
    now = clock.now()
    with transaction.atomic():
        if tickets is None:
            tickets = list(Ticket.objects.filter(pk__in=ids).select_related("requester", "order"))
        histories = history(ids)
        config = configuration()
        slas = {row.ticket_id: row for row in TicketSla.objects.select_for_update().filter(ticket_id__in=ids)}
        stored: dict[int, dict[tuple[str, int], SlaTarget]] = defaultdict(dict)
        for row in SlaTarget.objects.filter(ticket_id__in=ids):
            stored[row.ticket_id][(row.metric, row.cycle)] = row
        writes = _Writes(now, [], [], [], [])
        new_slas, changed_slas = [], []
        for ticket in tickets:
            policy = next((policy for policy in config.policies if policy.matches(ticket)), None)
            sla = slas.get(ticket.pk)
            if sla is None:
                sla = TicketSla(ticket=ticket, policy=None, computed_at=now)
                new_slas.append(sla)
            else:
                changed_slas.append(sla)
            if sla.policy_id != (policy.pk if policy else None):
                before = config.by_pk.get(sla.policy_id)
                sla.policy = policy.row if policy else None
                writes.events.append(_policy_event(ticket.pk, before.row if before else None,
                                                   policy.row if policy else None, now))
            rows = stored[ticket.pk]
            kept = []
            if policy is not None:
                for clock_ in clocks.compute(histories.get(ticket.pk, []), policy.targets, policy.hours, now):
                    row = rows.pop(clock_.key, None) or SlaTarget(
                        ticket_id=ticket.pk, metric=clock_.metric, cycle=clock_.cycle, started_at=clock_.started_at,
                        state="")
                    _apply_clock(row, clock_, policy.row, policy.zone, writes, reason=reason)
                    kept.append(row)
            for row in rows.values():  # metrics the policy no longer targets
                if row.state not in ENDED:
                    row.state, row.ended_at, row.due_at, row.warn_at = clocks.STOPPED, now, None, None
                    writes.events.append(_clock_event(ticket.pk, "stopped", row.metric, row.cycle, None,
                                                      "stopped: the ticket's policy no longer targets it", now))
                    writes.changed.append(row)
            _schedule(sla, kept, now)
        writes.write()
        statements.insert_rows(new_slas)
        statements.update_rows(changed_slas, SLA_FIELDS)


def _policy_event(ticket_id: int, before: SlaPolicy | None, after: SlaPolicy | None, now: datetime) -> SlaEvent:
    description = (f"SLA policy {after.name} applies" if after else "no SLA policy applies")
    if before is not None:
        description += f" (was {before.name})"
    event = SlaEvent.build(SLA, "sla.policy.applied", ticket_id=ticket_id, field="sla_policy",
                              before=audit_value(before),
                              after={"policy": audit_value(after), "description": description})
    event.at = now
    return event


def policies_changed(*, policy_ids: Iterable[int] | None = None) -> int:
    """After a policy or calendar changed: mark the open tickets' clocks (all, or those under `policy_ids`
    and those under no policy, which a changed policy may now match) for the sweep to recompute, in one
    statement; the sweep does it in batches, on the minute. Returns how many were marked."""
    from django.db.models import Q

    from caredesk.sla.models import OPEN_STATUSES

    rows = TicketSla.objects.filter(ticket__status__in=OPEN_STATUSES)
    if policy_ids is not None:
        rows = rows.filter(Q(policy_id__in=list(policy_ids)) | Q(policy__isnull=True))
    return rows.update(stale=True, next_due_at=clock.now())


# --- the sweep and warnings -------------------------------------------------------------------------------


def _told(ticket: Ticket, warning: recipients.Warning, told: list) -> str:
    """Whom a warning's event names: the assignee, and the group when the policy tells it, with the members
    told beside the assignee (five by name at most)."""
    who = [ticket.assignee.get_username()] if ticket.assignee_id else []
    if ticket.group_id and recipients.tells_group(warning):
        members = [agent.get_username() for agent in told if agent.pk != ticket.assignee_id]
        shown = ", ".join(members[:5]) + (f" and {len(members) - 5} more" if len(members) > 5 else "")
        who.append(ticket.group.name + (f" ({shown})" if members else ""))
    return f" to {' and '.join(who)}" if who else " (unassigned)"


def deliver_warnings(rows: list[SlaTarget], hours: dict[int, BusinessHours], now: datetime,
                     warn_group: dict[int, str] | None = None) -> list[SlaEvent]:
    """Warn that targets breach soon, once per target, saying the business time left on the ticket's calendar
    (`hours`, by ticket id; a warning given at closing time for a target due next morning says 1h, not 17h):
    an `sla.warned` event on the ticket naming its assignee and group (the ticket page and My work show it), and
    in-app notifications (kind "sla_warning", caredesk.notifications; the team can turn the kind off) to the
    assignee and to the members of the ticket's group, as the ticket's policy says (`warn_group`, by ticket id:
    always, only while unassigned, or never; caredesk.sla.recipients). Each recipient gets one notification per
    sweep listing their targets, not one each: no floods. The groups' members are read in one query. Returns
    the events to write. The one place that decides how warnings travel."""
    if not rows:
        return []
    tickets = Ticket.objects.select_related("assignee", "group").in_bulk({row.ticket_id for row in rows})
    members = members_by_group({ticket.group_id for ticket in tickets.values() if ticket.group_id})
    agents = {agent.pk: agent for group in members.values() for agent in group}
    agents.update((ticket.assignee_id, ticket.assignee) for ticket in tickets.values() if ticket.assignee_id)
    member_ids = {group: [agent.pk for agent in group_members] for group, group_members in members.items()}
    events, warnings, what = [], [], {}
    for index, row in enumerate(rows):
        ticket = tickets[row.ticket_id]
        warning = recipients.Warning(index, ticket.assignee_id, ticket.group_id,
                                     (warn_group or {}).get(row.ticket_id, recipients.ALWAYS))
        warnings.append(warning)
        calendar = hours[row.ticket_id]
        left = clocks.describe_remaining(calendar.seconds_between(now, row.due_at)) if row.due_at else "?"
        soon = f"breaches soon, due {_when(row.due_at, calendar.zone)} ({left} of business time left)"
        to = _told(ticket, warning, [agents[pk] for pk in recipients.recipients(warning, member_ids)])
        events.append(_clock_event(row.ticket_id, "warned", row.metric, row.cycle, row.due_at, soon + to, now))
        what[index] = (ticket, f"{clocks.METRIC_NAMES[row.metric]} {soon}")
    messages = []
    for agent_id, keys in recipients.by_recipient(warnings, member_ids).items():
        ticket, text = what[keys[0]]
        if len(keys) == 1:
            group = f" ({ticket.group.name})" if ticket.group_id else ""
            messages.append((agents[agent_id], ticket, f"#{ticket.pk} {ticket.subject}{group}: {text}"))
        else:
            listed = "; ".join(f"#{what[key][0].pk} {what[key][1]}" for key in keys)
            whose = ("your tickets" if all(what[key][0].assignee_id == agent_id for key in keys)
                     else "your groups' tickets" if all(what[key][0].assignee_id != agent_id for key in keys)
                     else "your tickets and your groups'")
            messages.append((agents[agent_id], None, f"{len(keys)} SLA targets of {whose} breach soon: {listed}"))
    if messages:
        notify_each("sla_warning", messages, actor=SLA)
    return events


def sweep_due(*, batch_size: int = SWEEP_BATCH, budget_seconds: float | None = None) -> int:
    """Record the warnings and breaches that have fallen due; returns how many. Safe with several workers."""
    handled = 0
    deadline = time.monotonic() + budget_seconds if budget_seconds else None
    while True:
        count, more = _sweep_batch(batch_size)
        handled += count
        if not more or (deadline is not None and time.monotonic() > deadline):
            return handled


def _anything_due(now: datetime) -> bool:
    """Whether a warning or a breach is due: one indexed lookup, in plain SQL because the worker asks every few
    seconds and building the ORM's `exists()` costs several times the lookup itself."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {TicketSla._meta.db_table} WHERE next_due_at <= %s LIMIT 1",
                       [connection.ops.adapt_datetimefield_value(now)])
        return cursor.fetchone() is not None


def _sweep_batch(batch_size: int) -> tuple[int, bool]:
    now = clock.now()
    postgres = connection.vendor == "postgresql"
    if not _anything_due(now):  # the usual answer, without a transaction
        return 0, False
    with transaction.atomic():
        due = list(TicketSla.objects.filter(next_due_at__lte=now).order_by("next_due_at")
                   .values_list("ticket_id", flat=True)[:batch_size])
        if not due:
            return 0, False
        # Lock the tickets first, as an agent's change does (ticket, then its SLA row): no deadlock; a ticket
        # another transaction holds is skipped and comes back at the next sweep.
        locked = list(Ticket.objects.select_for_update(of=("self",), skip_locked=postgres).filter(pk__in=due)
                      .values_list("pk", flat=True))
        slas = list(TicketSla.objects.select_for_update(skip_locked=postgres)
                    .filter(ticket_id__in=locked, next_due_at__lte=now))
        if not slas:
            return 0, len(due) == batch_size
        stale = [sla.ticket_id for sla in slas if sla.stale]
        if stale:  # a policy or calendar changed: replay these tickets' histories
            recompute(stale, reason="the SLA policy changed")
            slas = [sla for sla in slas if not sla.stale]
        rows_by_ticket: dict[int, list[SlaTarget]] = defaultdict(list)
        for row in SlaTarget.objects.filter(ticket_id__in=[sla.ticket_id for sla in slas], state=clocks.RUNNING):
            rows_by_ticket[row.ticket_id].append(row)
        config = configuration()
        writes = _Writes(now, [], [], [], [], fields=("breached_at", "warned_at"))
        hours: dict[int, BusinessHours] = {}
        warn_group: dict[int, str] = {}
        handled = 0
        for sla in slas:
            policy = config.by_pk.get(sla.policy_id)
            hours[sla.ticket_id] = policy.hours if policy else BusinessHours()
            warn_group[sla.ticket_id] = policy.row.warn_group if policy else recipients.ALWAYS
            zone = hours[sla.ticket_id].zone
            for row in rows_by_ticket[sla.ticket_id]:
                if row.due_at is not None and row.due_at <= now and row.breached_at is None:
                    _breach(row, zone, writes, due_at=row.due_at)
                    writes.changed.append(row)
                    handled += 1
                elif row.warn_at is not None and row.warn_at <= now and row.warned_at is None:
                    row.warned_at = now
                    writes.warnings.append(row)
                    writes.changed.append(row)
                    handled += 1
            _schedule(sla, rows_by_ticket[sla.ticket_id], now)
        writes.events += deliver_warnings(writes.warnings, hours, now, warn_group)
        writes.write()
        statements.update_rows(slas, ["next_due_at", "next_breach_at", "computed_at"])
    return handled + len(stale), len(due) == batch_size


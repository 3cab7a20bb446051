"""Run a scenario through the real engine, runner and actions on a virtual clock.

The simulator does what the people and the worker would do, in order: it creates the customer, the
order, the ticket and the agents through their actions, then for each event moves the clock to the
event's time, stopping at every instant a playbook run falls due (`PlaybookRun.next_due_at`) to call
`runner.sweep_all()` as the worker would, and applies the event through the same action an agent,
the customer or the phone system would trigger. It writes to the current database: the `caredesk
simulate` command points it at a throwaway one.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Callable

from django.db.models import Min

from caredesk.calendars import actions as calendar_actions
from caredesk.calendars.queries import default_calendar
from caredesk.core import actions as agent_actions
from caredesk.core import clock
from caredesk.core.audit import Actor
from caredesk.core.errors import DomainError
from caredesk.core.models import Agent
from caredesk.customers import actions as customer_actions
from caredesk.customers.models import CustomerType, Industry
from caredesk.playbooks import actions as playbook_actions
from caredesk.playbooks import registry, runner
from caredesk.playbooks.models import FollowUpTask, PlaybookRun
from caredesk.playbooks.scenario import (
    AgentCompletesTask,
    AgentLogsCall,
    AgentSetsStatus,
    CustomerCalls,
    CustomerEmails,
    Scenario,
    ScenarioEvent,
    parse_scenario,
)
from caredesk.playbooks.spec import PlaybookError
from caredesk.playbooks.timeline import SimulationResult, read_result
from caredesk.tickets import actions as ticket_actions
from caredesk.tickets import use_cases
from caredesk.tickets.lifecycle import ACTIVE_STATUSES
from caredesk.tickets.models import Ticket, TicketType

DEFAULT_AGENT = "agent"
PHONE_SYSTEM = Actor.system("phone")
MAX_SWEEPS_AT_ONE_INSTANT = 100
STATUS_CHANGES_TO = {"solved": ("solved",), "closed": ("solved", "closed")}  # from open, by the agent

# What other apps add (registered from their AppConfig.ready): how their scenario events are applied,
# apply(action, ticket, agent, agents by username), and their own due times, next_due(ticket ids, until)
# -> the first due instant or None, with the sweep the worker runs for them.
EVENT_APPLIERS: dict[type, Callable] = {}
CLOCKS: list[tuple[Callable, Callable[[], int]]] = []
# What an agent does before solving a ticket, solve_preparations(ticket, actor): the resolution they record.
SOLVE_PREPARATIONS: list[Callable] = []


def register_solve_preparation(prepare: Callable) -> None:
    SOLVE_PREPARATIONS.append(prepare)


def register_event_applier(action_type: type, apply: Callable) -> None:
    EVENT_APPLIERS[action_type] = apply


def register_clock(next_due: Callable, sweep: Callable[[], int]) -> None:
    CLOCKS.append((next_due, sweep))


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file; a problem raises PlaybookError with the file, line and field."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PlaybookError(str(path), None, "", "a readable UTF-8 file", str(error)) from error
    return parse_scenario(text, str(path))


def run_scenario(scenario: Scenario) -> SimulationResult:
    """Simulate the scenario on the current database and read back the ticket's timeline.

    Refuses a database where other playbooks are running: the sweeps would move them on the virtual clock.
    """
    others = PlaybookRun.objects.filter(status=PlaybookRun.Status.RUNNING).count()
    if others:
        raise RuntimeError(f"the database has {others} running playbook(s); simulate on a database of its own")
    with registry.files_in_use(scenario.playbook_files), clock.frozen_at(scenario.start):
        simulation = _Simulation(scenario)
        for event in scenario.events:
            simulation.advance_to(event.at)
            simulation.apply(event)
        simulation.advance_to(scenario.until)
        return read_result(
            title=scenario.title, file=scenario.file, start=scenario.start, until=scenario.until,
            calendar=scenario.calendar, tickets=simulation.tickets, cycle_starts=simulation.cycle_starts,
            report=scenario.report,
        )


def _agent_sets_status(ticket: Ticket, actor: Actor, status: str) -> None:
    if status == "solved" and ticket.status != "solved":
        for prepare in SOLVE_PREPARATIONS:
            prepare(ticket, actor)
    ticket_actions.update_ticket(ticket, actor=actor, status=status)


class _Simulation:
    def __init__(self, scenario: Scenario):
        self.scenario = scenario
        if scenario.closed_days:
            calendar = default_calendar()
            for day, description in scenario.closed_days:
                calendar_actions.add_closed_day(calendar, day, description)
        self.agent = self._agent(scenario.ticket.assignee or DEFAULT_AGENT)
        self.team = {spec.username: self._team_member(spec) for spec in scenario.agents}
        for owner in scenario.owners():
            if runner.owner_named(owner) is None:
                first, _, last = owner.rpartition(" ")
                agent_actions.create_agent(username=owner.lower().replace(" ", "."), first_name=first or last,
                                           last_name=last if first else "")
        self.tickets = [self._ticket()]
        self.cycle_starts: dict[int, dict[int, datetime]] = {}
        self.observe()

    # setting up, through the actions

    def _agent(self, username: str) -> Agent:
        return Agent.objects.filter(username=username).first() or agent_actions.create_agent(username=username)

    def _team_member(self, spec) -> Agent:
        agent = self._domain(lambda: agent_actions.create_agent(username=spec.username, role_names=spec.roles,
                                                                 skills=spec.skills), "agents")
        return agent_actions.set_presence(agent, spec.presence)

    def _key(self, model, key: str | None, path: str):
        """The row of a configured list (ticket types, industries...) by key; an unknown key is the scenario's fault."""
        if key is None:
            return None
        row = model.objects.filter(key=key, active=True).first()
        if row is None:
            known = ", ".join(model.objects.filter(active=True).values_list("key", flat=True))
            raise self.scenario.fail(path, f"one of {known}", repr(key))
        return row

    def _ticket(self) -> Ticket:
        spec, actor = self.scenario.ticket, Actor.of_agent(self.agent)
        customer = self._domain(lambda: customer_actions.create_customer(
            actor=actor, name=spec.customer.name, emails=spec.customer.emails, phones=spec.customer.phones,
            customer_type=self._key(CustomerType, spec.customer.customer_type, "ticket.customer.type"),
        ), "ticket.customer")
        order = None
        if spec.order is not None:
            industry = self._key(Industry, spec.order.industry, "ticket.order.industry")
            order = self._domain(lambda: customer_actions.create_order(
                actor=actor, customer=customer, external_reference=spec.order.reference or f"SIMULATED-{customer.pk}",
                industry=industry, status=spec.order.status,
            ), "ticket.order")
        initial = spec.status if spec.status in ACTIVE_STATUSES else "open"
        ticket = self._domain(lambda: ticket_actions.create_ticket(
            actor=actor, requester=customer, subject=spec.subject, order=order, tags=spec.tags, status=initial,
            ticket_type=self._key(TicketType, spec.ticket_type, "ticket.type"),
            assignee=self.agent if spec.assignee else None, channel="email",
        ), "ticket")
        if spec.message:
            ticket_actions.receive_customer_message(ticket, customer=customer, channel="email", body=spec.message,
                                                    details={"thread": "new"})
        for status in STATUS_CHANGES_TO.get(spec.status, ()):
            _agent_sets_status(ticket, actor, status)
        return ticket

    def _domain(self, write, path: str):
        """Run an action; a refusal (a contact point already used, a bad transition) names the scenario's field."""
        try:
            return write()
        except DomainError as error:
            raise self.scenario.fail(path, "values the actions accept", error.detail) from error

    # time

    def advance_to(self, instant: datetime) -> None:
        """Move the clock to `instant`, sweeping at every instant a run of these tickets falls due on the way."""
        sweeps_here, last = 0, None
        while True:
            due = (PlaybookRun.objects.filter(ticket__in=self.tickets, status=PlaybookRun.Status.RUNNING,
                                              next_due_at__lte=instant).aggregate(first=Min("next_due_at"))["first"])
            ticket_ids = [ticket.pk for ticket in self.tickets]
            others = [each for each in (next_due(ticket_ids, instant) for next_due, _ in CLOCKS) if each is not None]
            if due is None and not others:
                break
            now = max(min([due, *others] if due is not None else others), clock.now())
            sweeps_here = sweeps_here + 1 if now == last else 1
            if sweeps_here > MAX_SWEEPS_AT_ONE_INSTANT:
                raise RuntimeError(f"a playbook run stays due at {now.isoformat()} however often it is swept")
            clock.set_virtual(now)
            runner.sweep_all()
            for _, sweep in CLOCKS:
                sweep()
            self.observe()
            last = now
        clock.set_virtual(instant)

    def observe(self) -> None:
        """Note when each run's current cycle began: a restart leaves no row of its own."""
        for run in PlaybookRun.objects.filter(ticket__in=self.tickets).only("pk", "state"):
            if "cycle" in run.state:
                starts = self.cycle_starts.setdefault(run.pk, {})
                starts.setdefault(run.state["cycle"], datetime.fromisoformat(run.state["cycle_started_at"]))

    # events

    @property
    def current(self) -> Ticket:
        """Events happen on the newest ticket: the scenario's, or the follow-up a message to it created."""
        return Ticket.objects.select_related("requester").get(pk=self.tickets[-1].pk)

    def apply(self, event: ScenarioEvent) -> None:
        action, ticket, actor = event.action, self.current, Actor.of_agent(self.agent)
        try:
            if isinstance(action, AgentSetsStatus):
                _agent_sets_status(ticket, actor, action.status)
            elif isinstance(action, AgentCompletesTask):
                playbook_actions.complete_task(self._open_task(ticket, action, event), agent=self.agent,
                                               channels_tried=list(action.channels_tried), reached=action.reached)
            elif isinstance(action, CustomerEmails):
                ticket_actions.receive_customer_message(ticket, customer=ticket.requester, channel="email",
                                                        body=action.body, details={"thread": action.thread})
            elif isinstance(action, CustomerCalls):
                channel = "voicemail" if action.outcome == "voicemail_left" else "phone"
                ticket_actions.add_interaction(ticket, actor=PHONE_SYSTEM, channel=channel, direction="inbound",
                                               kind="call", call_outcome=action.outcome, author_customer=ticket.requester)
            elif isinstance(action, AgentLogsCall):
                use_cases.log_call(ticket, actor=actor, direction="outbound", outcome=action.outcome,
                                   call_notes=self._call_notes(ticket))
            elif type(action) in EVENT_APPLIERS:
                EVENT_APPLIERS[type(action)](action, ticket, self.agent, self.team)
        except DomainError as error:
            raise PlaybookError(self.scenario.file, event.line, event.path,
                                "an event the ticket accepts at that time", error.detail) from error
        self._follow_new_tickets()
        self.observe()

    def _open_task(self, ticket: Ticket, action: AgentCompletesTask, event: ScenarioEvent) -> FollowUpTask:
        tasks = FollowUpTask.objects.filter(ticket=ticket, status=FollowUpTask.Status.OPEN)
        if action.kind:
            tasks = tasks.filter(kind=action.kind)
        tasks = list(tasks.order_by("due_at", "id"))
        if len(tasks) != 1:
            found = ", ".join(f"{task.kind} {task.task_key}" for task in tasks) or "no open task"
            raise PlaybookError(self.scenario.file, event.line, f"{event.path}.complete_task",
                                "exactly one open task on the ticket (name its kind when there are several)", found)
        return tasks[0]

    def _call_notes(self, ticket: Ticket) -> dict[str, str]:
        """The SOP's call notes template, filled in."""
        customer_type = ticket.requester.customer_type
        return {"caller_name": ticket.requester.name, "call_type": "Outbound follow-up",
                "customer_type": str(customer_type) if customer_type else "Customer",
                "reason_for_call": ticket.subject, "actions_taken": "Called the customer about the ticket."}

    def _follow_new_tickets(self) -> None:
        """Add the follow-up tickets a customer's message to a closed ticket created."""
        while newer := Ticket.objects.filter(follows_up=self.tickets[-1]).order_by("id").first():
            self.tickets.append(newer)

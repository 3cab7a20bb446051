"""A running playbook described for people: the day of the cadence, the last step done, the next step and
when it is due. The API and the agent workspace both show a run through `describe_run`."""

from __future__ import annotations

from datetime import datetime

from caredesk.calendars.queries import CalendarSet
from caredesk.core import clock
from caredesk.playbooks import engine, registry
from caredesk.playbooks.models import PlaybookRun


def last_step_done(steps, state: engine.RunState):
    """The latest step of the current cycle that is behind us: a step needing no action once passed, an
    attempt once its checklist was completed (one still open, missed or cancelled is not done)."""
    outcomes = {record.task_key: record.status for record in state.attempts if record.cycle == state.cycle}
    for step in reversed(steps[:state.step_index]):
        if step.attempt is None or outcomes.get(f"cycle-{state.cycle}/{step.key}") == engine.DONE:
            return step
    return None


def describe_run(run: PlaybookRun, calendars: CalendarSet, now: datetime | None = None) -> dict:
    """The run's playbook, version, status, cycle, current day (on the team's calendar, `calendars`: read once
    for all the runs described), last and next step (with its day), the day of the next attempt, and the next
    due time.

    Reads no rows: `run.definition` should be selected with the run.
    """
    playbook = registry.playbook_of(run.definition, calendars)
    state = engine.state_from_dict(run.state)
    running = run.status == PlaybookRun.Status.RUNNING
    steps = playbook.steps
    last = last_step_done(steps, state)
    upcoming = steps[state.step_index] if state.step_index < len(steps) else playbook.end
    return {
        "id": run.pk, "ticket_id": run.ticket_id, "playbook": playbook.name, "version": playbook.version,
        "title": playbook.title, "status": run.status, "outcome": run.outcome, "cycle": state.cycle,
        "current_day": engine.current_day(playbook, state, now or clock.now()) if running else None,
        "last_step": f"day {last.day}: {last.title}" if last else None,
        "next_step": upcoming.title if upcoming is not None and running else None,
        "next_step_day": getattr(upcoming, "day", None) if running else None,
        "next_attempt_day": next((step.day for step in steps[state.step_index:] if step.attempt), None)
        if running else None,
        "next_due_at": run.next_due_at, "started_at": run.started_at, "ended_at": run.ended_at,
        "last_error": run.last_error, "timezone": playbook.days.timezone,
    }

"""The ticket audit event kinds of playbook runs, follow-up tasks and flags (see caredesk.core.events)."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Q

from caredesk.core.events import (
    VALUE, EventKind, Moment, Quoted, Reading, TaskMention, TicketMention, record, register, value_text,
)
from caredesk.playbooks.models import FollowUpTask
from caredesk.tickets.models import TicketEvent

CLOSED_TASKS = record("tasks", "reason")  # task.done (a logged call did it), task.missed, task.cancelled


def _task_titles(events: list) -> dict[tuple[int, str], list[tuple]]:
    """(ticket, task key) -> [(created at, title)] of the tasks the events name: a key repeats across runs.

    The titles come from the `task.created` events among them (a ticket's timeline holds them all); only the
    tasks without one there are read from the database, in one query.
    """
    titles = defaultdict(list)
    for event in events:
        if event.action == "task.created":
            titles[(event.ticket_id, event.after["task"])].append((event.at, event.after["title"]))
    missing = {(event.ticket_id, key) for event in events
               for key in (event.after.get("tasks") or [event.after.get("task")])} - set(titles)
    if missing:
        matching = Q()
        for ticket_id in {ticket_id for ticket_id, _ in missing}:
            matching |= Q(ticket_id=ticket_id, task_key__in=[key for ticket, key in missing if ticket == ticket_id])
        for row in FollowUpTask.objects.filter(matching).values("ticket_id", "task_key", "created_at", "title"):
            titles[(row["ticket_id"], row["task_key"])].append((row["created_at"], row["title"]))
    return titles


def _mention(reading: Reading, key: str, title: str = "") -> TaskMention:
    event = reading.event
    if not title:  # the title of the newest task with this key that existed then
        rows = [row for row in reading.loaded.get((event.ticket_id, key), ()) if row[0] <= event.at]
        title = max(rows)[1] if rows else ""
    return TaskMention(event.ticket_id, key, title, event.at)


def _created(reading: Reading) -> dict:
    after = reading.after
    return {"task": _mention(reading, after["task"], after["title"]),
            "channels": ", ".join(after["channels"]) or "no channels",
            "due_at": Moment(after["due_at"]), "overdue_at": Moment(after["overdue_at"])}


def _completed(reading: Reading) -> dict:
    after = reading.after
    return {"task": _mention(reading, after["task"], after["title"]),
            "tried": ", ".join(after["channels_tried"]) or "nothing",
            "reached": "reached" if after["reached"] else "not reached", "late": " (late)" if after["late"] else ""}


def _tried(reading: Reading) -> dict:
    after = reading.after
    return {"task": _mention(reading, after["task"], after["title"]), "channel": after["channel"]}


def _closed(status: str):
    def values(reading: Reading) -> dict:
        after = reading.after
        return {"tasks": [_mention(reading, key) for key in after["tasks"]],
                "reason": after["reason"].removeprefix(f"{status}: ")}
    return values


def _playbook(reading: Reading) -> dict:
    after = reading.after
    values = {"playbook": after["playbook"]}
    if reading.kind.action == "playbook.started":
        values.update(title=Quoted(after["title"] or after["playbook"]), version=after["version"],
                      trigger=value_text(after["trigger"]))
    elif reading.kind.action == "playbook.ended":
        values["outcome"] = value_text(after["outcome"])
    else:
        values["reason"] = f": {after['reason']}" if after["reason"] else ""
    return values


def declare() -> None:
    register(
        TicketEvent,
        EventKind("playbook.started", "started the playbook {title} ({playbook} v{version}, on {trigger})",
                  field="playbook", after=record("playbook", "version", "title", "trigger"), values=_playbook),
        EventKind("playbook.ended", "ended the playbook {playbook}: {outcome}", field="playbook",
                  after=record("playbook", "outcome"), values=_playbook),
        EventKind("playbook.moved", "moved the follow-up {playbook} ({status}) here from {ticket}, merged into "
                  "this ticket", field="playbook", after=record("playbook", "ticket", "status"),
                  values=lambda reading: {"playbook": reading.after["playbook"], "status": reading.after["status"],
                                          "ticket": TicketMention(reading.after["ticket"])}),
        EventKind("playbook.cancelled", "cancelled the playbook {playbook}{reason}", field="playbook",
                  after=record("playbook", "reason"), values=_playbook),
        EventKind("task.created", "planned the follow-up {task}: {channels}; due {due_at}, overdue {overdue_at}",
                  field="task", after=record("task", "title", "kind", "channels", "due_at", "overdue_at"),
                  values=_created, load=_task_titles),
        EventKind("task.completed", "completed the follow-up {task}: tried {tried}; {reached}{late}", field="task",
                  after=record("task", "title", "channels_tried", "reached", "late"), values=_completed,
                  load=_task_titles),
        EventKind("task.channel_tried", "ticked {channel} on the follow-up {task}: sent from the ticket", field="task",
                  after=record("task", "title", "channel"), values=_tried, load=_task_titles),
        EventKind("task.done", "completed the follow-up {tasks}: {reason}", field="task", after=CLOSED_TASKS,
                  values=_closed("done"), load=_task_titles),
        EventKind("task.missed", "marked the follow-up {tasks} missed: {reason}", field="task", after=CLOSED_TASKS,
                  values=_closed("missed"), load=_task_titles),
        EventKind("task.cancelled", "cancelled the follow-up {tasks}: {reason}", field="task", after=CLOSED_TASKS,
                  values=_closed("cancelled"), load=_task_titles),
        EventKind("flag.raised", "raised the flag {after}", field="flags", after=VALUE),
        EventKind("flag.cleared", "cleared the flag {before}", field="flags", before=VALUE),
    )

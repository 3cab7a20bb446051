"""Fixtures for the pure playbook engine tests: no Django, no database, no clock."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from caredesk.playbooks import engine
from caredesk.playbooks.spec import AddInternalNote, default_playbooks

NEW_YORK = ZoneInfo("America/New_York")


def new_york(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=NEW_YORK)


class Driver:
    """Drives one run through the engine and keeps every action it decided, in order."""

    def __init__(self, playbook, facts, now):
        self.playbook = playbook
        self.facts = facts
        decision = engine.start(playbook, facts, now)
        self.state = decision.state
        self.actions = list(decision.actions)

    def send(self, kind: str, at: datetime, **fields) -> tuple:
        decision = engine.decide(self.playbook, self.state, self.facts, engine.Event(kind, **fields), at)
        self.state = decision.state
        self.actions.extend(decision.actions)
        return decision.actions

    def tick(self, at: datetime) -> tuple:
        return self.send("tick", at)

    def complete(self, at: datetime, reached: bool = False, channels=("email", "call", "text"), task_key=None) -> tuple:
        key = task_key or self.open_task_keys()[-1]
        return self.send("task_completed", at, task_key=key, channels_tried=tuple(channels), reached=reached)

    def open_task_keys(self) -> tuple[str, ...]:
        return self.state.open_tasks

    def of_type(self, action_type) -> list:
        return [action for action in self.actions if isinstance(action, action_type)]

    def notes(self) -> list[str]:
        return [action.text for action in self.of_type(AddInternalNote)]

    def tasks(self) -> list[engine.CreateTask]:
        return self.of_type(engine.CreateTask)


@pytest.fixture(scope="session")
def playbooks():
    return {playbook.name: playbook for playbook in default_playbooks()}


@pytest.fixture
def drive():
    return Driver


@pytest.fixture
def ny():
    return new_york

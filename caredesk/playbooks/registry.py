"""Which playbooks are in force: the shipped defaults plus a team's own directory, stored as definitions.

A running ticket keeps the exact text of the version it started with; the parsed playbook of a stored
definition is cached per process. A business-day playbook counts its days on the team's calendar (`on_calendar`):
the calendars are read once per process and again when an admin's edit changes their version token.
"""

from __future__ import annotations

import contextlib
import hashlib
from contextvars import ContextVar
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator

from django.conf import settings
from django.db import transaction

from caredesk.calendars.queries import CalendarSet, calendar_set
from caredesk.core import clock
from caredesk.playbooks.models import PlaybookDefinition
from caredesk.playbooks.spec import DEFAULTS_DIRECTORY, Playbook, PlaybookError, latest_versions, load_playbook, parse_playbook


_files_in_use: ContextVar[tuple[Path, ...] | None] = ContextVar("caredesk_playbook_files", default=None)


@contextlib.contextmanager
def files_in_use(files: Iterable[Path]) -> Iterator[None]:
    """Use exactly these playbook files, instead of the defaults and the team's directory (the simulator)."""
    token = _files_in_use.set(tuple(files))
    try:
        yield
    finally:
        _files_in_use.reset(token)


def playbook_files() -> list[Path]:
    """The shipped defaults, then the team's directory (CAREDESK_PLAYBOOKS_DIR), whose files win by name."""
    chosen = _files_in_use.get()
    if chosen is not None:
        return list(chosen)
    files = sorted(DEFAULTS_DIRECTORY.glob("*.yaml"))
    if settings.PLAYBOOKS_DIR:
        directory = Path(settings.PLAYBOOKS_DIR)
        if not directory.is_dir():
            raise PlaybookError(str(directory), None, "CAREDESK_PLAYBOOKS_DIR", "an existing directory")
        files += sorted(directory.glob("*.y*ml"))
    return files


def available_playbooks() -> tuple[Playbook, ...]:
    files = playbook_files()
    return _load_files(tuple((str(path), path.stat().st_mtime_ns) for path in files))


@lru_cache(maxsize=8)
def _load_files(files_with_mtimes: tuple[tuple[str, int], ...]) -> tuple[Playbook, ...]:
    """Parsed playbooks, re-read only when a file changes."""
    by_name: dict[str, Playbook] = {}
    for path, _ in files_with_mtimes:
        playbook = load_playbook(path)
        by_name[playbook.name] = playbook  # a team file replaces a shipped default of the same name
    return tuple(by_name.values())


def _source_of(playbook: Playbook) -> tuple[str, str]:
    """The file's text and its SHA-256, read again only when the file changes."""
    path = Path(playbook.file)
    return _read_source(str(path), path.stat().st_mtime_ns)


@lru_cache(maxsize=64)
def _read_source(path: str, mtime_ns: int) -> tuple[str, str]:
    source = Path(path).read_text(encoding="utf-8")
    return source, hashlib.sha256(source.encode()).hexdigest()


@transaction.atomic
def definition_for(playbook: Playbook) -> PlaybookDefinition:
    """The stored definition of this playbook version, created on first use.

    Changing a playbook's text without raising its version is refused: running tickets would silently
    change procedure under their agents.
    """
    source, digest = _source_of(playbook)
    definition = PlaybookDefinition.objects.filter(name=playbook.name, version=playbook.version).first()
    if definition is None:
        return PlaybookDefinition.objects.create(
            name=playbook.name, version=playbook.version, title=playbook.title, source=source, sha256=digest,
            file=playbook.file, loaded_at=clock.now(),
        )
    if definition.sha256 != digest:
        raise PlaybookError(
            playbook.file, None, "version",
            f"a new version number: version {playbook.version} of {playbook.name} is already in use with other text",
        )
    return definition


def in_force() -> tuple[Playbook, ...]:
    """The latest version of every available playbook (store one with `definition_for` when it starts)."""
    return tuple(latest_versions(available_playbooks()).values())


@lru_cache(maxsize=256)
def _parsed(definition_id: int, source: str, file: str) -> Playbook:
    return parse_playbook(source, file)


def on_calendar(playbook: Playbook, calendars: CalendarSet | None = None) -> Playbook:
    """The playbook counting its days on the team's calendar: the one its `days.calendar` names, else the
    default calendar (the file's own time zone and holidays when there is no calendar at all)."""
    calendars = calendars or calendar_set()
    days = playbook.days.on(calendars.hours(playbook.days.calendar))
    return playbook if days is playbook.days else replace(playbook, days=days)


def playbook_of(definition: PlaybookDefinition, calendars: CalendarSet | None = None) -> Playbook:
    """The definition's playbook on the team's calendar (`calendars`: a snapshot already read, for a batch)."""
    return on_calendar(_parsed(definition.pk, definition.source, definition.file or definition.name), calendars)

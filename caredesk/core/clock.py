"""The one clock. Nothing else in caredesk reads the wall clock.

Tests and the simulator move time with `frozen_at(instant)` and `advance(delta)`; everything that asks
`now()` inside sees the virtual time. The override lives in a ContextVar, so a simulation in one thread
does not move the clock of a server thread beside it.
"""

from __future__ import annotations

import contextlib
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from typing import Iterator

_virtual_now: ContextVar[datetime | None] = ContextVar("caredesk_virtual_now", default=None)


def now() -> datetime:
    """The current instant, timezone-aware in UTC."""
    virtual = _virtual_now.get()
    return virtual if virtual is not None else datetime.now(UTC)


def is_virtual() -> bool:
    return _virtual_now.get() is not None


@contextlib.contextmanager
def frozen_at(instant: datetime) -> Iterator[None]:
    """Hold the clock at `instant` (aware) until the block ends."""
    if instant.tzinfo is None:
        raise ValueError("the clock only takes timezone-aware datetimes")
    token = _virtual_now.set(instant.astimezone(UTC))
    try:
        yield
    finally:
        _virtual_now.reset(token)


def set_virtual(instant: datetime) -> None:
    """Move a frozen clock to `instant`; only valid inside `frozen_at`."""
    if _virtual_now.get() is None:
        raise RuntimeError("the clock is not frozen; use frozen_at() first")
    if instant.tzinfo is None:
        raise ValueError("the clock only takes timezone-aware datetimes")
    _virtual_now.set(instant.astimezone(UTC))


def advance(delta: timedelta) -> datetime:
    """Move a frozen clock forward by `delta` and return the new instant."""
    set_virtual(now() + delta)
    return now()

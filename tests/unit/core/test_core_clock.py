"""The one clock: real time by default, frozen and moved by tests, isolated per context."""

from __future__ import annotations

import contextvars
import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest

from caredesk.core import clock

MONDAY = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def test_real_clock_is_aware_utc_and_moves_forward():
    assert not clock.is_virtual()
    first = clock.now()
    second = clock.now()
    assert first.tzinfo is UTC
    assert second >= first


def test_frozen_at_holds_the_time():
    with clock.frozen_at(MONDAY):
        assert clock.is_virtual()
        assert clock.now() == MONDAY
        assert clock.now() == MONDAY
    assert not clock.is_virtual()


def test_frozen_at_converts_to_utc():
    with clock.frozen_at(datetime(2026, 3, 2, 9, 0, tzinfo=timezone(timedelta(hours=-5)))):
        assert clock.now() == MONDAY
        assert clock.now().tzinfo is UTC


def test_frozen_at_refuses_naive_datetimes():
    with pytest.raises(ValueError, match="timezone-aware"):
        with clock.frozen_at(datetime(2026, 3, 2, 14, 0)):
            pass  # pragma: no cover


def test_advance_moves_a_frozen_clock():
    with clock.frozen_at(MONDAY):
        assert clock.advance(timedelta(days=4, minutes=1)) == MONDAY + timedelta(days=4, minutes=1)
        assert clock.now() == MONDAY + timedelta(days=4, minutes=1)


def test_advance_needs_a_frozen_clock():
    with pytest.raises(RuntimeError, match="not frozen"):
        clock.advance(timedelta(seconds=1))


def test_set_virtual():
    with clock.frozen_at(MONDAY):
        clock.set_virtual(datetime(2027, 1, 1, tzinfo=UTC))
        assert clock.now() == datetime(2027, 1, 1, tzinfo=UTC)
        with pytest.raises(ValueError):
            clock.set_virtual(datetime(2027, 1, 1))
    with pytest.raises(RuntimeError):
        clock.set_virtual(MONDAY)


def test_nested_frozen_blocks_restore_the_outer_time():
    with clock.frozen_at(MONDAY):
        clock.advance(timedelta(hours=1))
        with clock.frozen_at(MONDAY + timedelta(days=30)):
            assert clock.now() == MONDAY + timedelta(days=30)
        assert clock.now() == MONDAY + timedelta(hours=1)
    assert not clock.is_virtual()


def test_the_clock_is_restored_after_an_error():
    with pytest.raises(KeyError):
        with clock.frozen_at(MONDAY):
            raise KeyError("boom")
    assert not clock.is_virtual()


def test_another_thread_does_not_see_a_frozen_clock():
    seen = {}

    def read():
        seen["virtual"] = clock.is_virtual()
        seen["now"] = clock.now()

    with clock.frozen_at(MONDAY):
        thread = threading.Thread(target=read)
        thread.start()
        thread.join()
        assert clock.now() == MONDAY
    assert seen["virtual"] is False
    assert seen["now"] != MONDAY


def test_a_frozen_clock_in_another_context_does_not_leak_out():
    def simulate():
        with clock.frozen_at(MONDAY):
            clock.advance(timedelta(days=1))
            return clock.now()

    with clock.frozen_at(datetime(2030, 1, 1, tzinfo=UTC)):
        inner = contextvars.copy_context().run(simulate)
        assert clock.now() == datetime(2030, 1, 1, tzinfo=UTC)
    assert inner == MONDAY + timedelta(days=1)
    assert not clock.is_virtual()


def test_advance_inside_a_copied_context_does_not_move_the_caller():
    with clock.frozen_at(MONDAY):
        contextvars.copy_context().run(clock.advance, timedelta(days=2))
        assert clock.now() == MONDAY

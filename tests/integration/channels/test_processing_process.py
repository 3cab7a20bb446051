"""Processing beside the SMTP receiver: the write turn, a batch cut short for a waiting receiver, and the
processing process's loop driven in this process through a real pipe."""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import threading

import pytest

from caredesk.channels import inbound
from caredesk.channels.models import InboundMessage
from caredesk.channels.processing import STOP, WriteTurn
from caredesk.channels.processor import Processor
from tests.integration.channels.conftest import email_bytes
from tests.integration.channels.test_inbound_batches import stored

pytestmark = pytest.mark.django_db


def statuses(ids) -> list[str]:
    return [InboundMessage.objects.get(pk=pk).status for pk in ids]


@pytest.fixture
def turn(tmp_path):
    return WriteTurn(str(tmp_path / "db.write-turn"), multiprocessing.Value("b", 0, lock=False))


def someone_else_holds(turn: WriteTurn) -> bool:
    """Whether another open file (as in another process) would have to wait for the lock."""
    descriptor = os.open(turn.path, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(descriptor)
    return False


def test_the_turn_is_held_while_storing_or_processing_and_freed_after(turn):
    with turn.storing():
        assert someone_else_holds(turn) and not turn.storer_is_waiting()
    assert not someone_else_holds(turn)
    with turn.processing():
        assert someone_else_holds(turn)
    assert not someone_else_holds(turn)


def test_the_storer_is_seen_waiting_until_it_has_the_turn(turn):
    other = WriteTurn(turn.path, turn.storer_waiting)  # as in the processing process: its own open lock file
    stored_now = threading.Event()

    def store():
        with turn.storing():
            stored_now.set()

    with other.processing():
        storer = threading.Thread(target=store)
        storer.start()
        while not turn.storer_is_waiting():
            pass
        assert not stored_now.is_set()  # it waits in the kernel until the processing side lets go
    storer.join()
    assert stored_now.is_set() and not turn.storer_is_waiting()


def test_a_turn_goes_to_the_processing_process_without_its_open_file(turn):
    with turn.storing():
        state = turn.__getstate__()
    assert state["_descriptor"] is None and state["path"] == turn.path


def test_a_batch_stops_where_a_waiting_writer_is_let_in():
    ids = stored(*(email_bytes(sender=f"c{number}@example.org") for number in range(4)))
    asked = []

    def until():
        asked.append(True)
        return len(asked) == 2  # after the second message

    results = inbound.process_batch(ids, until=until)
    assert results == dict(zip(ids, ["processed", "processed", "received", "received"]))
    assert statuses(ids) == ["processed", "processed", "received", "received"]
    assert inbound.process_batch(ids[2:]) == dict(zip(ids[2:], ["processed", "processed"]))


@pytest.mark.parametrize("with_turn", [True, False], ids=["sqlite turn", "no turn"])
def test_the_processing_loop_takes_the_backlog_then_what_is_sent_until_stopped(turn, with_turn):
    left_by_a_crash = stored(email_bytes(sender="early@example.org"))
    receiving, sending = multiprocessing.Pipe(duplex=False)
    raw = email_bytes(sender="late@example.org")
    large = email_bytes(sender="large@example.org")
    late, sent_as_id = stored(raw, large)
    sending.send([(late, len(raw), raw), (sent_as_id, len(large), None), (left_by_a_crash[0], 1, None)])
    sending.send(STOP)
    Processor(receiving, turn if with_turn else None).run()
    assert statuses([*left_by_a_crash, late, sent_as_id]) == ["processed"] * 3


def test_the_processing_loop_ends_when_the_receiver_is_gone(turn):
    receiving, sending = multiprocessing.Pipe(duplex=False)
    sending.close()
    Processor(receiving, turn).run()  # returns: a new receiver starts a new processing process


def test_a_message_found_in_the_backlog_and_then_handed_over_is_parsed_in_the_pool(turn, monkeypatch):
    raw = email_bytes(sender="both@example.org")
    [both] = stored(raw)  # stored while the processing process was starting: in its backlog, then in the pipe
    parsed_from_rows = []
    parse_stored = inbound.parse_stored
    monkeypatch.setattr(inbound, "parse_stored", lambda ids: parsed_from_rows.extend(ids) or parse_stored(ids))
    receiving, sending = multiprocessing.Pipe(duplex=False)
    sending.send([(both, len(raw), raw)])
    sending.send(STOP)
    Processor(receiving, turn).run()
    assert statuses([both]) == ["processed"] and parsed_from_rows == []

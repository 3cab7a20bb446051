"""Processing beside the SMTP receiver: the write turn, a batch cut short for a waiting receiver, and the
processing process's loop driven in this process through a real pipe."""

from __future__ import annotations

import multiprocessing
import threading

import pytest

from caredesk.channels import inbound
from caredesk.channels.models import InboundMessage
from caredesk.channels.smtpd_handover import STOP, WriteTurn
from caredesk.channels.processing_process import ProcessingLoop
from tests.integration.channels.conftest import email_bytes
from tests.integration.channels.test_inbound_batches import stored

pytestmark = pytest.mark.django_db


def statuses(ids) -> list[str]:
    return [InboundMessage.objects.get(pk=pk).status for pk in ids]


@pytest.fixture
def turn():
    return WriteTurn(multiprocessing.Value("b", 0, lock=False))


def test_the_receiver_is_seen_waiting_while_it_stores_and_not_after(turn):
    assert not turn.storer_is_waiting()
    with turn.storing():
        assert turn.storer_is_waiting()
    assert not turn.storer_is_waiting()


def test_processing_does_not_begin_while_the_receiver_stores(turn):
    began = threading.Event()

    def process():
        with turn.processing():
            began.set()

    with turn.storing():
        processing = threading.Thread(target=process)
        processing.start()
        assert not began.wait(0.1)  # still waiting for the receiver (a wait, not a measure of speed)
    processing.join()
    assert began.is_set()


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
    ProcessingLoop(receiving, turn if with_turn else None).run()
    assert statuses([*left_by_a_crash, late, sent_as_id]) == ["processed"] * 3


def test_the_processing_loop_ends_when_the_receiver_is_gone(turn):
    receiving, sending = multiprocessing.Pipe(duplex=False)
    sending.close()
    ProcessingLoop(receiving, turn).run()  # returns: a new receiver starts a new processing process


def test_a_message_found_in_the_backlog_and_then_handed_over_is_parsed_in_the_pool(turn, monkeypatch):
    raw = email_bytes(sender="both@example.org")
    [both] = stored(raw)  # stored while the processing process was starting: in its backlog, then in the pipe
    parsed_from_rows = []
    parse_stored = inbound.parse_stored
    monkeypatch.setattr(inbound, "parse_stored", lambda ids: parsed_from_rows.extend(ids) or parse_stored(ids))
    receiving, sending = multiprocessing.Pipe(duplex=False)
    sending.send([(both, len(raw), raw)])
    sending.send(STOP)
    ProcessingLoop(receiving, turn).run()
    assert statuses([both]) == ["processed"] and parsed_from_rows == []

"""One hostile message cannot take inbound mail down: the Subject bomb (30,000 encoded words, about 2 MB) sent
over SMTP to a real `caredesk smtpd` becomes a truncated ticket, the 100 messages sent after it all become
tickets, and no process of the receiver grows past 300 MB."""

from __future__ import annotations

import smtplib

import pytest

from tests.e2e.test_smtp_crash import children, fresh_receiver, query, send_burst, wait_until_settled
from tests.fixtures import hostile_mail

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
FOLLOWING = 100
MEMORY_CEILING_KB = 300 * 1024


def peak_memory_kb(pid: int) -> int:
    """The most resident memory `pid` has used so far (VmHWM, Linux)."""
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmHWM for {pid}")


def test_the_subject_bomb_becomes_a_truncated_ticket_and_the_mail_behind_it_flows(tmp_path):
    env, database, port, receiver = fresh_receiver(tmp_path)
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=60) as client:
            client.sendmail("mallory@example.org", ["support@example.com"], hostile_mail.subject_bomb())
        acknowledged: list[str] = []
        send_burst(port, range(FOLLOWING), acknowledged)
        assert len(acknowledged) == FOLLOWING
        wait_until_settled(database)
        processes = [receiver.pid, *children(receiver.pid)]
        processes += [pid for parent in processes[1:] for pid in children(parent)]
        peaks = {pid: peak_memory_kb(pid) for pid in processes}
    finally:
        receiver.terminate()
        receiver.wait(timeout=60)

    [(status, ticket_id)] = query(database, "SELECT status, ticket_id FROM channels_inboundmessage "
                                            "WHERE message_id = 'bomb@example.org'")
    assert status == "processed"
    [(subject,)] = query(database, "SELECT subject FROM tickets_ticket WHERE id = ?", ticket_id)
    assert subject.startswith("Ünïcödé subject word") and len(subject) <= 200
    [(note,)] = query(database, "SELECT body FROM tickets_interaction WHERE ticket_id = ? AND kind = 'note'", ticket_id)
    assert "CAREDESK_MAIL_MAX_HEADER_BYTES" in note
    processed = {message_id for (message_id,) in query(
        database, "SELECT message_id FROM channels_inboundmessage WHERE status = 'processed'")}
    assert set(acknowledged) <= processed
    tickets_of_the_following = query(database, "SELECT count(DISTINCT external_id) FROM tickets_interaction "
                                               "WHERE external_id LIKE 'burst-%'")
    assert tickets_of_the_following == [(FOLLOWING,)]
    assert len(peaks) >= 3 and max(peaks.values()) < MEMORY_CEILING_KB, peaks  # receiver, processing, parsers

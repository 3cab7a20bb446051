"""The warm-transfer ladder as pure decisions (SOP 002 steps 2-3, SOP 003 "refuses to wait").

Each rung rings every available agent with its role and skill at once and waits its seconds for one of them
to answer. No answer, nobody available (SOP 003's "Unavailable" branch) or a decline after discussing the
concern goes to the next rung; past the last rung the customer leaves a voicemail. Functions take the ladder's
rungs, its state, who is available on each rung and the time, and return the new state with what happened,
in order; the escalations app writes them. Nothing here reads a clock or a database.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Mapping

from caredesk.playbooks.spec import TransferRung

RINGING = "ringing"  # a rung is ringing: `ringing` agents have until `due_at` to answer
DISCUSSING = "discussing"  # `answered_by` answered and discusses the concern before accepting or declining
TRANSFERRED = "transferred"  # accepted for handling: the transfer is complete
VOICEMAIL = "voicemail"  # nobody took it: the customer was transferred to leave a voicemail
STATUSES = (RINGING, DISCUSSING, TRANSFERRED, VOICEMAIL)

Candidates = Mapping[int, tuple[int, ...]]  # rung index -> ids of the agents available on it, in order


class LadderRefused(ValueError):
    """A step the ladder does not take in its state (answering a rung that is not ringing you, say)."""


@dataclass(frozen=True)
class LadderState:
    status: str
    rung: int  # the rung ringing or answered; len(rungs) once at the voicemail
    ringing: tuple[int, ...] = ()
    due_at: datetime | None = None
    answered_by: int | None = None


@dataclass(frozen=True)
class Happened:
    """One entry for the ticket's timeline: `kind` is the audit event's suffix (escalation.<kind>)."""

    kind: str  # transfer_rung, transfer_rung_skipped, transfer_timed_out, transfer_answered,
    #            transfer_declined, transfer_accepted, voicemail
    rung: int
    agents: tuple[int, ...] = ()
    due_at: datetime | None = None


@dataclass(frozen=True)
class Step:
    state: LadderState
    happened: tuple[Happened, ...]


def begin(rungs: tuple[TransferRung, ...], candidates: Candidates, now: datetime) -> Step:
    """The customer refused to wait: ring the first rung with anyone available."""
    return _ring_from(rungs, 0, candidates, now, ())


def time_out(rungs: tuple[TransferRung, ...], state: LadderState, candidates: Candidates, now: datetime) -> Step:
    """The rung's seconds are over with no answer; a state not due yet is returned unchanged."""
    if state.status != RINGING or state.due_at is None or state.due_at > now:
        return Step(state, ())
    return unanswered(rungs, state, candidates, now)


def unanswered(rungs: tuple[TransferRung, ...], state: LadderState, candidates: Candidates, now: datetime) -> Step:
    """Nobody answered the ringing rung (the phone system says so, or its seconds are over): the next rung."""
    if state.status != RINGING:
        raise LadderRefused("This transfer is not ringing.")
    timed_out = Happened("transfer_timed_out", state.rung, state.ringing)
    return _ring_from(rungs, state.rung + 1, candidates, now, (timed_out,))


def answer(state: LadderState, agent: int) -> Step:
    if state.status != RINGING or agent not in state.ringing:
        raise LadderRefused("This transfer is not ringing you.")
    answered = LadderState(DISCUSSING, state.rung, answered_by=agent)
    return Step(answered, (Happened("transfer_answered", state.rung, (agent,)),))


def decline(rungs: tuple[TransferRung, ...], state: LadderState, agent: int, candidates: Candidates,
            now: datetime) -> Step:
    """The agent who answered does not accept the handling: the next rung rings."""
    _check_answered_by(state, agent)
    declined = Happened("transfer_declined", state.rung, (agent,))
    return _ring_from(rungs, state.rung + 1, candidates, now, (declined,))


def accept(state: LadderState, agent: int) -> Step:
    _check_answered_by(state, agent)
    accepted = replace(state, status=TRANSFERRED)
    return Step(accepted, (Happened("transfer_accepted", state.rung, (agent,)),))


def _check_answered_by(state: LadderState, agent: int) -> None:
    if state.status != DISCUSSING or state.answered_by != agent:
        raise LadderRefused("Only the agent who answered this transfer can accept or decline it.")


def _ring_from(rungs, index: int, candidates: Candidates, now: datetime, happened: tuple[Happened, ...]) -> Step:
    for rung_index in range(index, len(rungs)):
        agents = tuple(candidates.get(rung_index, ()))
        if not agents:
            happened += (Happened("transfer_rung_skipped", rung_index),)
            continue
        due_at = now + timedelta(seconds=rungs[rung_index].answer_within_seconds)
        ringing = LadderState(RINGING, rung_index, ringing=agents, due_at=due_at)
        return Step(ringing, happened + (Happened("transfer_rung", rung_index, agents, due_at),))
    return Step(LadderState(VOICEMAIL, len(rungs)), happened + (Happened("voicemail", len(rungs)),))

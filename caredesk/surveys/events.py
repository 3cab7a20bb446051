"""The audit event kinds of CSAT and NPS surveys (see caredesk.core.events), on the survey's ticket."""

from __future__ import annotations

from caredesk.core.events import EventKind, Moment, Quoted, Reading, record, register, value_text
from caredesk.tickets.models import TicketEvent

RATED = record("survey", "rating", "reason", "comment", "changed")


def _rated(reading: Reading) -> dict:
    after = reading.after
    reason = f" ({value_text(after['reason'])})" if after["reason"] else ""
    comment = Quoted(after["comment"]) if after["comment"] else ""
    return {"verb": "changed the rating to" if after["changed"] else "rated the support",
            "rating": after["rating"], "reason": reason, "comment": comment, "colon": ": " if comment else ""}


def _nps(reading: Reading) -> dict:
    after = reading.after
    comment = Quoted(after["comment"]) if after["comment"] else ""
    return {"score": after["score"], "comment": comment, "colon": ": " if comment else ""}


def declare() -> None:
    register(
        TicketEvent,
        EventKind("survey.scheduled", "scheduled the satisfaction survey for {due}", after=record("survey", "due_at"),
                  values=lambda reading: {"due": Moment(reading.after["due_at"])}),
        EventKind("survey.cancelled", "cancelled the satisfaction survey: {reason}",
                  after=record("survey", "reason")),
        EventKind("survey.skipped", "sent no satisfaction survey: {reason}", after=record("survey", "reason")),
        EventKind("survey.sent", "sent the satisfaction survey, open until {expires}",
                  after=record("survey", "outbound", "expires_at"),
                  values=lambda reading: {"expires": Moment(reading.after["expires_at"])}),
        EventKind("survey.rated", "{verb} {rating}{reason}{colon}{comment}", after=RATED, values=_rated,
                  quotes=("comment",)),
        EventKind("survey.review_opened", "opened a review of the bad rating for a Team Supervisor",
                  after=record("survey", "review")),
        EventKind("survey.review_done", "finished the review of the bad rating: {note}",
                  after=record("survey", "review", "note"), quotes=("note",)),
        EventKind("nps.sent", "sent the NPS question (0-10)", after=record("nps", "outbound")),
        EventKind("nps.answered", "answered the NPS question: {score}{colon}{comment}",
                  after=record("nps", "score", "comment"), values=_nps, quotes=("comment",)),
    )

"""The audit event kinds of resolutions and feedback (see caredesk.core.events), all on the ticket's trail."""

from __future__ import annotations

from caredesk.core.events import EventKind, Quoted, Reading, Sentence, TicketMention, record, register, shortened, value_text
from caredesk.resolutions.rules import CONFIRMED_BY
from caredesk.tickets.models import TicketEvent

RECORDED = record("root_cause", "resolution_code", "summary", "knowledge_base_reference",
                  "linked_ticket", optional=("article",))  # the article: since caredesk has its knowledge base


def _recorded(reading: Reading) -> dict:
    after = reading.after
    parts = [value_text(after[name]) for name in ("root_cause", "resolution_code") if after[name]]
    article = after.get("article")
    reuses = [Sentence(", reusing {article}", {"article": Quoted(article["name"])}) if article else "",
              Sentence(", reusing {reference}", {"reference": Quoted(after["knowledge_base_reference"])})
              if after["knowledge_base_reference"] else "",
              Sentence(", reusing {ticket}", {"ticket": TicketMention(after["linked_ticket"])})
              if after["linked_ticket"] else ""]
    return {"what": " / ".join(parts) or "without a root cause",
            "summary": Sentence(": {text}", {"text": Quoted(shortened(after["summary"]))}) if after["summary"] else "",
            "reuses": Sentence("{article}{kb}{ticket}", {"article": reuses[0], "kb": reuses[1], "ticket": reuses[2]})}


def _channel(reading: Reading) -> dict:
    return {"channel": CONFIRMED_BY.get(reading.after["channel"], value_text(reading.after["channel"])).lower()}


def declare() -> None:
    register(
        TicketEvent,
        EventKind("resolution.recorded", "recorded the resolution, {what}{summary}{reuses}", field="resolution",
                  after=RECORDED, values=_recorded, quotes=("summary",)),
        EventKind("resolution.confirmed", "recorded that the customer confirmed the resolution by {channel}",
                  field="resolution", after=record("resolution", "channel"), values=_channel),
        EventKind("resolution.confirmation_sent", "asked the customer by {channel} to confirm the resolution",
                  field="resolution", after=record("resolution", "channel", "outbound"), values=_channel),
        EventKind("resolution.not_fixed", "said the problem is still not fixed", field="resolution",
                  after=record("resolution")),
        EventKind("feedback.shared", "shared the internal note as feedback for {team}", field="feedback",
                  after=record("feedback", "team"), values=lambda reading: {"team": value_text(reading.after["team"])}),
    )

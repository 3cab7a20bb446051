"""The only writers of ReviewFlag: raise "additional review" when a text matches a sensitive issue, clear it
with a reason. Each change writes a TicketEvent:

- review.flag_raised   after {qualifier, name, matched, reason}: a qualifier newly raised on the ticket
- review.flag_matched  after {qualifier, name, matched, reason}: new words for a flag already open
- review.flag_cleared  before {qualifier, name, matched}, after {qualifier, name, matched, reason}
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import IntegrityError, transaction

from caredesk.core import clock
from caredesk.core.audit import Actor
from caredesk.core.errors import Conflict, ValidationFailed
from caredesk.review import configured
from caredesk.review.models import ReviewFlag
from caredesk.tickets.actions import record_event
from caredesk.tickets.models import Interaction, Ticket

REVIEWER = Actor.system("sensitive-issue review")
REASON_LIMIT = 2000


def _payload(flag: ReviewFlag, matched: list[str], reason: str = "") -> dict:
    return {"qualifier": flag.qualifier, "name": flag.qualifier_name, "matched": matched, "reason": reason}


@transaction.atomic
def review_texts(ticket: Ticket, texts: Iterable[str], *, interaction: Interaction | None = None) -> list[ReviewFlag]:
    """Check the texts that reached the ticket; raise a flag per new qualifier, add new words to an open one.

    Answers the flags raised or extended (empty when nothing matched or nothing was new).
    """
    matcher = configured.matcher()
    found: dict[str, list[str]] = {}
    for text in texts:
        if text:
            for key, words in matcher.qualifiers_in(text).items():
                found.setdefault(key, []).extend(word for word in words if word not in found.get(key, ()))
    if not found:
        return []
    names = {qualifier.key: qualifier.name for qualifier in matcher.qualifiers}
    open_flags = {flag.qualifier: flag for flag in ReviewFlag.objects.select_for_update().filter(
        ticket=ticket, qualifier__in=found, cleared_at__isnull=True)}
    changed = []
    for key, words in found.items():
        flag = open_flags.get(key)
        if flag is None:
            flag = _raise(ticket, key, names[key], words, interaction)
            if flag is not None:
                changed.append(flag)
            continue
        known = {word.lower() for word in flag.matched}
        new = [word for word in words if word.lower() not in known]
        if new:
            flag.matched = [*flag.matched, *new]
            flag.save(update_fields=["matched"])
            record_event(REVIEWER, ticket, "review.flag_matched", interaction=interaction,
                         after=_payload(flag, new))
            changed.append(flag)
    return changed


def _raise(ticket: Ticket, key: str, name: str, words: list[str], interaction: Interaction | None) -> ReviewFlag | None:
    try:
        with transaction.atomic():  # another process raised it meanwhile: the constraint keeps one
            flag = ReviewFlag.objects.create(ticket=ticket, qualifier=key, qualifier_name=name, matched=words,
                                             interaction=interaction, raised_at=clock.now())
    except IntegrityError:
        return None
    record_event(REVIEWER, ticket, "review.flag_raised", interaction=interaction,
                 after=_payload(flag, words))
    return flag


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("Say why the ticket needs no additional review for this.", field="reason")
    if len(reason) > REASON_LIMIT:
        raise ValidationFailed(f"A reason has at most {REASON_LIMIT} characters.", field="reason")
    return reason


@transaction.atomic
def clear_flags(flags: Sequence[ReviewFlag], *, agent, reason: str) -> list[ReviewFlag]:
    """Clear open flags with the agent's reason; a flag already cleared is a Conflict (nothing is written)."""
    reason = _reason(reason)
    rows = {flag.pk: flag for flag in ReviewFlag.objects.select_for_update().select_related("ticket")
            .filter(pk__in=[flag.pk for flag in flags])}
    now = clock.now()
    cleared = []
    for flag in flags:
        row = rows.get(flag.pk)
        if row is None or row.cleared_at is not None:
            raise Conflict(f"The flag “{flag.qualifier_name}” was already cleared.")
        row.cleared_at, row.cleared_by, row.clear_reason = now, agent, reason
        row.save(update_fields=["cleared_at", "cleared_by", "clear_reason"])
        record_event(Actor.of_agent(agent), row.ticket, "review.flag_cleared",
                     before=_payload(row, row.matched) | {"reason": ""}, after=_payload(row, row.matched, reason))
        cleared.append(row)
    return cleared


def clear_flag(flag: ReviewFlag, *, agent, reason: str) -> ReviewFlag:
    return clear_flags([flag], agent=agent, reason=reason)[0]

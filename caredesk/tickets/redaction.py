"""What a redaction reaches beyond the ticket's own texts. Each app registers the copies of a ticket's text it
keeps (a case's written fields, the outbox, the email as received, survey comments, the ticket's history), and
`actions.redact` rewrites them all in its transaction, one "record.redacted" audit event per kind of copy."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Model, QuerySet

from caredesk.core import audit, events
from caredesk.core.audit import REDACTED
from caredesk.tickets.models import Interaction, TicketEvent

INTERACTION_TEXTS = ("body", "caller_name", "reason_for_call", "actions_taken")  # a timeline entry's texts

Redactor = Callable[[int, re.Pattern[str]], dict[int, int]]  # (ticket id, text) -> {row id: occurrences}


@dataclass(frozen=True)
class Copies:
    """One kind of copy: `label` names it in the ticket's history ("the outbox"), `redact` rewrites the
    ticket's rows of it and says which changed."""

    label: str
    redact: Redactor


_copies: dict[str, Copies] = {}
_detail_keys: set[str] = set()


def register(label: str, redact: Redactor) -> None:
    """Declare a kind of copy (in an app's ready()); a label registered twice is one kind."""
    _copies[label] = Copies(label, redact)


def register_details(*keys: str) -> None:
    """Declare keys of an interaction's `details` that hold people's words (an email's subject and HTML body, as
    the channel that wrote them keeps them), which a redaction rewrites with the interaction's texts."""
    _detail_keys.update(keys)


def copies() -> list[Copies]:
    return list(_copies.values())


def substitute(pattern: re.Pattern[str], value):
    """`value` with every match replaced, and how many: strings, and the strings inside lists and dicts (an
    audit payload); anything else as it is."""
    if isinstance(value, str):
        return pattern.subn(REDACTED, value)
    if isinstance(value, list):
        done = [substitute(pattern, item) for item in value]
        return [item for item, _ in done], sum(count for _, count in done)
    if isinstance(value, dict):
        done = {key: substitute(pattern, item) for key, item in value.items()}
        return {key: item for key, (item, _) in done.items()}, sum(count for _, count in done.values())
    return value, 0


def in_keys(value, keys, pattern: re.Pattern[str]):
    """A JSON object with the text replaced in these of its keys only (the others are ids, statuses, the
    system's own sentences), and how often it was; anything but an object as it is."""
    if not isinstance(value, dict):
        return value, 0
    redacted = {key: substitute(pattern, value[key]) for key in keys if key in value}
    return {**value, **{key: text for key, (text, _) in redacted.items()}}, sum(n for _, n in redacted.values())


def fitted(model: type[Model], name: str, value):
    """`value` cut to the field's length, should "[redacted]" have made a short field's text too long."""
    limit = getattr(model._meta.get_field(name), "max_length", None)
    return value[:limit] if limit and isinstance(value, str) else value


def rewrite(rows: QuerySet, names: tuple[str, ...], pattern: re.Pattern[str],
            keys: Callable[[Model, str], Iterable[str] | None] = lambda row, name: None) -> dict[int, int]:
    """Replace the text in the fields `names` of `rows` (the caller loads what `keys` reads), writing back each
    row that held it; `keys(row, name)` names the keys of a JSON field the text is replaced in (None: in its
    whole value). {row id: occurrences}."""
    found = {}
    for row in rows.order_by("pk"):
        values, occurrences = {}, 0
        for name in names:
            within = keys(row, name)
            value = getattr(row, name)
            value, count = substitute(pattern, value) if within is None else in_keys(value, within, pattern)
            values[name] = fitted(rows.model, name, value)
            occurrences += count
        if occurrences:
            rows.filter(pk=row.pk).update(**values)
            found[row.pk] = occurrences
    return found


def fields(model: type[Model], *, ticket: str, names: tuple[str, ...]) -> Redactor:
    """A redactor of text fields of `model`, whose rows reach the ticket by the lookup `ticket` ("ticket",
    "survey__ticket")."""
    return lambda ticket_id, pattern: rewrite(
        model._default_manager.filter(**{ticket: ticket_id}).only("pk", *names), names, pattern)


def interactions(ticket_id: int, pattern: re.Pattern[str]) -> dict[int, int]:
    """The ticket's timeline entries: their texts, and the keys of their details that apps declared."""
    rows = Interaction.objects.filter(ticket_id=ticket_id).only("pk", "details", *INTERACTION_TEXTS)
    return rewrite(rows, (*INTERACTION_TEXTS, "details"), pattern,
                   keys=lambda row, name: _detail_keys if name == "details" else None)


def history(ticket_id: int, pattern: re.Pattern[str]) -> dict[int, int]:
    """The ticket's audit events whose values quote people's words (each kind declares which: EventKind.quotes):
    the subject it was created with, the subject and description before and after each change, a reason the
    customer gave, a survey comment. The events stay; the database lets a redaction, and nothing else,
    rewrite their values (tickets migration 0007)."""
    quoting = {action: kind.quotes for (log, action), kind in events.kinds().items()
               if log == TicketEvent._meta.label and kind.quotes}
    rows = audit.rewritable(TicketEvent).filter(ticket_id=ticket_id, action__in=quoting).only(
        "pk", "action", "before", "after")
    return rewrite(rows, ("before", "after"), pattern,
                   keys=lambda event, _: None if events.WHOLE in quoting[event.action] else quoting[event.action])

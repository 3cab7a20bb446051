"""The only writers of notifications. Plural first: `notify` tells several agents at once (`notify_each` gives
each their own text, in one write), with one audit event
(AgentEvent `notification.sent`) in each recipient's trail; `mark_read` marks an agent's notifications read
(`notification.read`). Event kinds: notification.sent, notification.read.

Other apps call `notify` inside their own transaction, so a notification commits or rolls back with the change
it is about:

    from caredesk.notifications.actions import notify
    notify([ticket.assignee], "sla_warning", ticket, text=f"#{ticket.pk} breaches its first-reply SLA in 30 min")

`kind` is the key of a NotificationKind (assigned, customer_replied, mentioned, sla_warning; the team edits
that list in the admin). A kind the team turned off sends nothing; an unknown key is a ValidationFailed.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from caredesk.core import audit, clock
from caredesk.core.actions import record_agent_event
from caredesk.core.audit import Actor
from caredesk.core.errors import ValidationFailed
from caredesk.core.models import Agent
from caredesk.notifications.models import Notification, NotificationKind
from caredesk.tickets.models import Ticket

TEXT_LIMIT = Notification._meta.get_field("text").max_length


def _kind(key: str) -> NotificationKind:
    kind = NotificationKind.objects.filter(key=key).first()
    if kind is None:
        raise ValidationFailed(f"There is no notification kind {key!r}.", field="kind")
    return kind


def _text(text: str) -> str:
    text = " ".join((text or "").split())
    if not text:
        raise ValidationFailed("A notification needs a text.", field="text")
    return text[:TEXT_LIMIT - 1] + "…" if len(text) > TEXT_LIMIT else text


@transaction.atomic
def notify(agents: Iterable[Agent | None], kind: str, ticket: Ticket | None = None, *, text: str,
           actor: Actor | None = None) -> list[Notification]:
    """Tell each of `agents` (None and repeats are skipped, and so are inactive agents and the agent who is
    `actor`: nobody is notified of their own move) `text`, about `ticket`. Returns the notifications written."""
    text = _text(text)
    return notify_each(kind, [(agent, ticket, text) for agent in agents], actor=actor)


@transaction.atomic
def notify_each(kind: str, messages: Iterable[tuple[Agent | None, Ticket | None, str]], *,
                actor: Actor | None = None) -> list[Notification]:
    """Tell each agent their own text (about their own ticket, or none) in one write: the first message of an
    agent counts, and None, inactive agents and the agent who is `actor` are skipped, as for `notify`."""
    messages = [(agent, ticket, _text(text)) for agent, ticket, text in messages]
    kind_row = _kind(kind)
    if not kind_row.active:
        return []
    own = actor.agent.pk if actor is not None and actor.agent is not None else None
    recipients: dict[int, tuple[Agent, Ticket | None, str]] = {}
    for agent, ticket, text in messages:
        if agent is not None and agent.is_active and agent.pk != own:
            recipients.setdefault(agent.pk, (agent, ticket, text))
    if not recipients:
        return []
    now = clock.now()
    label = actor.label if actor is not None else ""
    rows = Notification.objects.bulk_create([
        Notification(agent=agent, kind=kind_row, ticket=ticket, text=text, actor_label=label, created_at=now)
        for agent, ticket, text in recipients.values()
    ])
    with audit.written_together():  # one INSERT for every recipient's event
        for row in rows:
            record_agent_event(actor, row.agent, "notification.sent", field="notification",
                               after={"id": row.pk, "kind": kind, "ticket": row.ticket_id, "text": row.text})
    return rows


@transaction.atomic
def mark_read(agent: Agent, ids: Iterable[int] | None = None) -> int:
    """Mark `agent`'s unread notifications read: those of `ids` (others' are ignored), or all when None.
    Returns how many were marked; nothing to mark writes nothing."""
    unread = Notification.objects.select_for_update().filter(agent=agent, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    marked = sorted(unread.values_list("pk", flat=True))
    if not marked:
        return 0
    Notification.objects.filter(pk__in=marked).update(read_at=clock.now())
    record_agent_event(Actor.of_agent(agent), agent, "notification.read", field="notification",
                       after={"count": len(marked), "ids": marked})
    return len(marked)

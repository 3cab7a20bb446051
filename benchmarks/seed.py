"""Bulk seeding of large datasets for read and sweep benchmarks.

This bypasses the actions on purpose: a million tickets through the API would take the benchmark longer
than the thing it measures. Rows are shaped as the actions would write them (with a creation event each
is left out: no benchmark reads events).
"""

from __future__ import annotations

import json
import random
from datetime import timedelta

from django.db import connection, transaction

from caredesk.core import clock

STATUSES = ["new", "open", "pending", "on_hold", "solved", "closed"]
STATUS_WEIGHTS = [5, 25, 20, 5, 15, 30]
BATCH = 20_000


def _insert(table: str, columns: list[str], rows: list[tuple]) -> None:
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f'INSERT INTO {table} ({", ".join(columns)}) VALUES ({placeholders})'
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _ids(table: str) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {table} ORDER BY id")
        return [row[0] for row in cursor.fetchall()]


def seed_tickets(count: int, *, agents: list[int], customers: int = 20_000, seed: int = 7,
                 status: str | None = None) -> None:
    """`count` tickets over `customers` new customers, the seeded groups and types, and `agents`."""
    generator = random.Random(seed)
    now = clock.now()
    with transaction.atomic():
        start_customer = max(_ids("customers_customer") or [0]) + 1
        _insert("customers_customer", ["id", "name", "importance", "preferred_channel", "created_at", "updated_at"],
                [(start_customer + index, f"Customer {index}", "standard", "", now, now) for index in range(customers)])
        _insert("customers_contactpoint", ["customer_id", "kind", "value", "position"],
                [(start_customer + index, "email", f"seed{start_customer + index}@example.com", 0)
                 for index in range(customers)])
        groups, types = _ids("tickets_group"), _ids("tickets_tickettype")
        tag_ids = []
        for name in ("vip", "billing", "passport", "missing_labels", "refund"):
            with connection.cursor() as cursor:
                cursor.execute("SELECT id FROM tickets_tag WHERE name = %s", [name])
                found = cursor.fetchone()
            if found is None:
                _insert("tickets_tag", ["name"], [(name,)])
                with connection.cursor() as cursor:
                    cursor.execute("SELECT id FROM tickets_tag WHERE name = %s", [name])
                    found = cursor.fetchone()
            tag_ids.append(found[0])
        first_ticket = max(_ids("tickets_ticket")[-1:] or [0]) + 1
        columns = ["id", "subject", "description", "requester_id", "ticket_type_id", "priority", "status",
                   "group_id", "assignee_id", "channel", "created_at", "updated_at"]
        for offset in range(0, count, BATCH):
            rows, tags = [], []
            for index in range(offset, min(count, offset + BATCH)):
                ticket_id = first_ticket + index
                created = now - timedelta(minutes=count - index)
                rows.append((
                    ticket_id, f"Seeded ticket {ticket_id}", "Seeded for a benchmark.",
                    start_customer + generator.randrange(customers), generator.choice(types),
                    generator.choice((1, 2, 2, 2, 3, 4)),
                    status or generator.choices(STATUSES, STATUS_WEIGHTS)[0], generator.choice(groups),
                    generator.choice(agents) if generator.random() < 0.9 else None, "email", created, created,
                ))
                if generator.random() < 0.1:
                    tags.append((ticket_id, generator.choice(tag_ids)))
            _insert("tickets_ticket", columns, rows)
            _insert("tickets_ticket_tags", ["ticket_id", "tag_id"], tags)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def seed_runs(definition_id: int, state: dict, *, due_at, not_due_at, due_count: int) -> int:
    """A running playbook on every ticket of the seed: `due_count` of them due at `due_at`, the rest later."""
    text = json.dumps(state)
    now = clock.now()
    ticket_ids = _ids("tickets_ticket")
    with transaction.atomic():
        for offset in range(0, len(ticket_ids), BATCH):
            rows = [(ticket_id, definition_id, "running", "", text,
                     due_at if position < due_count else not_due_at, state_started(state), now, 0, "")
                    for position, ticket_id in enumerate(ticket_ids[offset:offset + BATCH], start=offset)]
            _insert("playbooks_playbookrun", ["ticket_id", "definition_id", "status", "outcome", "state",
                                              "next_due_at", "started_at", "updated_at", "failures", "last_error"],
                    rows)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return len(ticket_ids)


def state_started(state: dict):
    from datetime import datetime

    return datetime.fromisoformat(state["started_at"])


def seed_timeline(ticket_id: int, *, agent_id: int, customer_id: int, interactions: int = 100,
                  changes: int = 100, seed: int = 11) -> int:
    """A long history on one ticket: `interactions` messages, notes and calls (each with its hidden
    `interaction.*` audit event, as add_interaction writes it) and `changes` field changes, one every few
    minutes so none are grouped. The ticket page then shows interactions + changes timeline entries."""
    generator = random.Random(seed)
    now = clock.now()
    total = interactions + changes
    start = now - timedelta(minutes=5 * total + 5)
    kinds = [("email", "inbound", "message"), ("email", "outbound", "message"), ("internal", "internal", "note"),
             ("phone", "outbound", "call"), ("sms", "outbound", "message")]
    moments = sorted(generator.sample(range(total), interactions))
    interaction_rows, event_rows = [], []
    with transaction.atomic():
        first_interaction = max(_ids("tickets_interaction")[-1:] or [0]) + 1
        for index, slot in enumerate(moments):
            at = start + timedelta(minutes=5 * slot)
            channel, direction, kind = kinds[index % len(kinds)]
            call = kind == "call"
            interaction_rows.append((
                first_interaction + index, ticket_id, channel, direction, kind,
                "answered" if call else "", f"Message {index} of a long conversation.\nSecond line.",
                None if direction == "inbound" else agent_id, customer_id if direction == "inbound" else None,
                "", at, at, "Caller" if call else "", "Inbound" if call else "", "Existing" if call else "",
                "Status of the application" if call else "", "Explained the next step" if call else "", "{}",
            ))
            event_rows.append((at, "customer" if direction == "inbound" else "agent", "Seeded",
                               None if direction == "inbound" else agent_id, f"interaction.{kind}", "",
                               "null", json.dumps({"kind": kind}), ticket_id, first_interaction + index))
        taken = set(moments)
        for slot in [slot for slot in range(total) if slot not in taken]:
            at = start + timedelta(minutes=5 * slot)
            before, after = generator.sample(["open", "pending", "on_hold"], 2)
            event_rows.append((at, "agent", "Seeded", agent_id, "status.changed", "status",
                               json.dumps(before), json.dumps(after), ticket_id, None))
        _insert("tickets_interaction", [
            "id", "ticket_id", "channel", "direction", "kind", "call_outcome", "body", "author_agent_id",
            "author_customer_id", "author_label", "occurred_at", "created_at", "caller_name", "call_type",
            "call_customer_type", "reason_for_call", "actions_taken", "details"], interaction_rows)
        _insert("tickets_ticketevent", ["at", "actor_kind", "actor_label", "actor_id", "action", "field",
                                        "before", "after", "ticket_id", "interaction_id"], event_rows)
    return total


def seed_sla_clocks(policy_id: int, *, now, spread_days: int = 30, seed: int = 11) -> int:
    """A running first-reply clock on every ticket of the seed, due at a random time over the next
    `spread_days` days and warned an hour before (caredesk.sla's TicketSla and SlaTarget rows)."""
    generator = random.Random(seed)
    ticket_ids = _ids("tickets_ticket")
    with transaction.atomic():
        for offset in range(0, len(ticket_ids), BATCH):
            clocks, targets = [], []
            for ticket_id in ticket_ids[offset:offset + BATCH]:
                due = now + timedelta(days=1, minutes=generator.randrange(spread_days * 24 * 60))
                warn = due - timedelta(hours=1)
                clocks.append((ticket_id, policy_id, warn, due, now, False))
                targets.append((ticket_id, policy_id, "first_reply", 1, 480, "[]", "running", "", now, 0, due, warn,
                                False))
            _insert("sla_ticketsla", ["ticket_id", "policy_id", "next_due_at", "next_breach_at", "computed_at",
                                      "stale"], clocks)
            _insert("sla_slatarget", ["ticket_id", "policy_id", "metric", "cycle", "target_minutes",
                                      "pausing_statuses", "state", "paused_by", "started_at", "used_seconds",
                                      "due_at", "warn_at", "promised"], targets)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return len(ticket_ids)

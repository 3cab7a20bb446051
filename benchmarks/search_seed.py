"""Bulk seeding of searchable text for the search benchmark (benchmarks/search.py): customers with names,
emails and phone numbers, orders, tickets with varied subjects and descriptions, and their interactions'
bodies. Words are drawn from a support vocabulary (common) and 60,000 made-up words with a Zipf-like
spread (rare ones); some texts carry a phone number (in one of several formats), an email address or an
order reference. Rows go in by COPY (PostgreSQL) or `benchmarks.seed._insert`, bypassing the actions (and the index):
`caredesk search-index` builds it afterwards, which is what the benchmark times."""

from __future__ import annotations

import random
from datetime import timedelta
from itertools import accumulate

from django.db import connection, transaction

from benchmarks.seed import BATCH, STATUSES, STATUS_WEIGHTS, _ids, _insert
from caredesk.core import clock

COMMON = """order application passport status refund please thank you help need update shipping delivery
address payment card charge account email phone call back today week appointment document form photo
renewal expedite fee processing time agency number tracking label received sent missing wrong cancel
change name date birth travel flight urgent question issue problem website login password reset invoice
receipt confirmation customer service support team agent hello hi regards sincerely best waiting still
not yet when where what how why could would should will can may more information attached copy scan
signature mail envelope courier lost damaged replacement return credit bank transfer weekend monday
friday morning afternoon evening office hours holiday visa trip abroad embassy consulate appointment
state county fingerprint background check precheck ein business tax identification installer panel
solar roof inspection contract warranty""".split()
SYLLABLES = "ka lo mi ne ru sa ti vo be da fe gi ho ju ly mar ten sol vin dor qua zel pix rom tul".split()
FIRST = """James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan
Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy Matthew Betty Anthony Sandra Mark
Margaret Donald Ashley Steven Kimberly Paul Emily Andrew Donna Joshua Michelle Kenneth Carol Kevin Amanda
Brian Melissa George Deborah Timothy Stephanie Ronald Rebecca Jason Sharon Edward Laura Jeffrey Cynthia
Ryan Dorothy Jacob Amy Gary Kathleen Nicholas Angela Eric Shirley Jonathan Emma Stephen Brenda Larry
Pamela Justin Nicole Scott Anna Brandon Samantha Benjamin Katherine Samuel Christine Gregory Debra""".split()
LAST = """Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez
Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez
Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker
Hall Rivera Campbell Mitchell Carter Roberts Whitfield Okafor Kowalski Dubois Rossi Schmidt Novak Silva
Tanaka Kim Patel Singh Haddad Cohen Murphy Kelly Price Bennett Wood Barnes Ross Henderson Coleman
Jenkins Perry Powell Long Patterson Hughes Washington Butler Simmons Foster Gonzales Bryant Alexander""".split()
PHONE_FORMATS = ("({a}) {b}-{c}", "{a}-{b}-{c}", "{a}.{b}.{c}", "+1 {a} {b} {c}", "{a}{b}{c}", "1-{a}-{b}-{c}")


class Vocabulary:
    def __init__(self, generator: random.Random, rare_words: int = 60_000):
        rare = set()
        while len(rare) < rare_words:
            rare.add("".join(generator.choice(SYLLABLES) for _ in range(generator.randint(3, 4))))
        self.rare = sorted(rare)
        generator.shuffle(self.rare)
        self.words = COMMON + self.rare
        weights = [40.0] * len(COMMON) + [30.0 / (rank + 5) for rank in range(len(self.rare))]
        self.cumulative = list(accumulate(weights))
        self.generator = generator

    def text(self, words: int) -> str:
        return " ".join(self.generator.choices(self.words, cum_weights=self.cumulative, k=words))

    def pool(self, size: int, low: int, high: int) -> list[str]:
        """`size` texts of `low` to `high` words: drawn from by the rows, so that generating 5 million
        bodies does not take longer than inserting them (each text then appears in a few dozen rows)."""
        return [self.text(self.generator.randint(low, high)) for _ in range(size)]


def phone(generator: random.Random, number: int) -> tuple[str, str]:
    """(E.164, the same number as a person writes it) for the `number`th seeded customer."""
    area = 200 + number % 700
    exchange, line = 200 + (number // 700) % 700, (number // 490_000) * 1000 + number % 1000
    e164 = f"+1{area}{exchange}{line:04}"
    written = generator.choice(PHONE_FORMATS).format(a=area, b=exchange, c=f"{line:04}")
    return e164, written


def customer_name(number: int) -> str:
    return f"{FIRST[number % len(FIRST)]} {LAST[(number // len(FIRST)) % len(LAST)]}"


def email(number: int) -> str:
    return f"{customer_name(number).lower().replace(' ', '.')}{number}@example.com"


def _write(table: str, columns: list[str], rows: list[tuple]) -> None:
    """COPY on PostgreSQL (several times faster than INSERTs for millions of rows), else executemany."""
    if connection.vendor != "postgresql":
        _insert(table, columns, rows)
        return
    with connection.cursor() as cursor, cursor.connection.cursor().copy(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def seed_search_corpus(*, tickets: int, interactions: int, customers: int, agents: list[int], seed: int = 14,
                       progress=print) -> None:
    generator = random.Random(seed)
    vocabulary = Vocabulary(generator)
    subjects, descriptions = vocabulary.pool(100_000, 3, 7), vocabulary.pool(100_000, 15, 40)
    bodies = vocabulary.pool(250_000, 20, 60)
    now = clock.now()
    with transaction.atomic():
        _write("customers_customer", ["id", "name", "importance", "preferred_channel", "created_at", "updated_at"],
                [(n, customer_name(n), "standard", "", now, now) for n in range(1, customers + 1)])
        points = []
        for n in range(1, customers + 1):
            points.append((n, "email", email(n), 0))
            points.append((n, "phone", phone(generator, n)[0], 1))
        _write("customers_contactpoint", ["customer_id", "kind", "value", "position"], points)
        _write("customers_order", ["id", "external_reference", "customer_id", "status", "created_at", "updated_at"],
                [(n, f"ORD-{n:07}", n, "", now, now) for n in range(1, customers + 1)])
    progress(f"{customers} customers with an email and a phone each, {customers} orders")
    groups, types = _ids("tickets_group"), _ids("tickets_tickettype")
    columns = ["id", "subject", "description", "requester_id", "order_id", "ticket_type_id", "priority", "status",
               "group_id", "assignee_id", "channel", "created_at", "updated_at"]
    for offset in range(0, tickets, BATCH):
        rows = []
        with transaction.atomic():
            for ticket_id in range(offset + 1, min(tickets, offset + BATCH) + 1):
                created = now - timedelta(minutes=tickets - ticket_id)
                requester = generator.randrange(1, customers + 1)
                description = generator.choice(descriptions)
                if generator.random() < 0.1:
                    description += f" My order is ORD-{requester:07}."
                rows.append((ticket_id, generator.choice(subjects).capitalize(), description,
                             requester, requester if generator.random() < 0.5 else None, generator.choice(types),
                             generator.choice((1, 2, 2, 2, 3, 4)), generator.choices(STATUSES, STATUS_WEIGHTS)[0],
                             generator.choice(groups), generator.choice(agents) if generator.random() < 0.9 else None,
                             "email", created, created))
            _write("tickets_ticket", columns, rows)
        if offset % 200_000 == 0:
            progress(f"tickets: {offset + len(rows)}")
    kinds = [("email", "inbound", "message"), ("email", "outbound", "message"), ("internal", "internal", "note"),
             ("phone", "outbound", "call"), ("sms", "outbound", "message")]
    columns = ["id", "ticket_id", "channel", "direction", "kind", "call_outcome", "body", "author_agent_id",
               "author_customer_id", "author_label", "occurred_at", "created_at", "caller_name", "call_type",
               "call_customer_type", "reason_for_call", "actions_taken", "details"]
    for offset in range(0, interactions, BATCH):
        rows = []
        with transaction.atomic():
            for interaction_id in range(offset + 1, min(interactions, offset + BATCH) + 1):
                ticket_id = 1 + (interaction_id * 7919) % tickets
                channel, direction, kind = kinds[interaction_id % len(kinds)]
                body = generator.choice(bodies)
                chance = generator.random()
                if chance < 0.05:
                    body += f" You can reach me at {phone(generator, generator.randrange(1, customers + 1))[1]}."
                elif chance < 0.10:
                    body += f" Please write to {email(generator.randrange(1, customers + 1))} instead."
                at = now - timedelta(seconds=interactions - interaction_id)
                call = kind == "call"
                rows.append((interaction_id, ticket_id, channel, direction, kind, "answered" if call else "", body,
                             None if direction == "inbound" else agents[interaction_id % len(agents)], None, "",
                             at, at, "Caller" if call else "", "Inbound" if call else "", "Existing" if call else "",
                             "Status of the application" if call else "", "Explained the next step" if call else "",
                             "{}"))
            _write("tickets_interaction", columns, rows)
        if offset % 500_000 == 0:
            progress(f"interactions: {offset + len(rows)}")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in ("customers_customer", "customers_order", "tickets_ticket", "tickets_interaction"):
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        cursor.execute("ANALYZE")

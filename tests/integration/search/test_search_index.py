"""The search index follows every change in its transaction, on the database the tests run on (SQLite
FTS5 or PostgreSQL): found at once, phone numbers by digits, removed text gone, subject first, roles."""

from __future__ import annotations

import pytest
from django.db import transaction

from caredesk.core import roles
from caredesk.core.audit import Actor
from caredesk.core.errors import ValidationFailed
from caredesk.customers import actions as customer_actions
from caredesk.search import actions, queries
from caredesk.search.engines import Filters
from caredesk.search.models import IndexBuild, SearchDocument
from caredesk.tickets import actions as ticket_actions
from caredesk.tickets import use_cases
from caredesk.tickets.actions import update_ticket
from caredesk.tickets.models import Status
from tests.integration.helpers import record_resolution

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def actor(agent):
    return Actor.of_agent(agent)


def open_ticket(actor, customer, subject, description="The customer wrote in."):
    return use_cases.open_ticket(actor=actor, requester=customer, subject=subject, description=description)


def found(agent, query, **options):
    return [(hit.source, hit.object_id) for hit in queries.search(query, agent=agent, **options).hits]


def test_a_ticket_created_is_found_at_once(agent, actor, customer):
    ticket = open_ticket(actor, customer, "Passport renewal stuck at the agency")
    assert ("ticket", ticket.pk) in found(agent, "renewal agency")


def test_a_reply_is_found_as_soon_as_its_transaction_commits(agent, actor, customer):
    ticket = open_ticket(actor, customer, "Question")
    with transaction.atomic():
        note = use_cases.add_note(ticket, actor=actor, body="The courier lost the parcel near Fresno.")
    assert ("interaction", note.pk) in found(agent, "fresno")


def test_a_rolled_back_change_is_not_indexed(agent, actor, customer):
    with pytest.raises(RuntimeError), transaction.atomic():
        open_ticket(actor, customer, "Zanzibar shipment")
        raise RuntimeError
    assert found(agent, "zanzibar") == []


def test_a_phone_number_in_a_body_is_found_by_its_digits_in_any_format(agent, actor, customer):
    ticket = open_ticket(actor, customer, "Call me back", description="Please call me at (415) 555-0199 today.")
    for typed in ("4155550199", "(415) 555-0199", "+1 415 555 0199", "415.555.0199", "555-0199"):
        assert ("ticket", ticket.pk) in found(agent, typed), typed
    page = queries.search("4155550199", agent=agent)
    assert "<mark>(415) 555-0199</mark>" in page.hits[0].snippet


def test_a_customers_phone_and_email_are_found_whole_and_by_part(agent, customer):
    for typed in ("4155550132", "dana@example.com", "dana", "example.com", "555-0132", "ple.co"):
        assert ("customer", customer.pk) in found(agent, typed), typed


def test_a_removed_contact_point_is_no_longer_found(agent, actor, customer):
    customer_actions.remove_contact_point(customer, actor=actor, value="dana@example.com")
    assert ("customer", customer.pk) not in found(agent, "dana@example.com")
    assert ("customer", customer.pk) in found(agent, "4155550132")


def test_a_changed_subject_is_found_by_its_new_words_only(agent, actor, customer):
    ticket = open_ticket(actor, customer, "Refund for a lost parcel")
    update_ticket(ticket, actor=actor, subject="Replacement label")
    assert ("ticket", ticket.pk) not in found(agent, "refund")
    assert ("ticket", ticket.pk) in found(agent, "replacement")


def test_redacted_text_is_no_longer_found(agent, actor, customer):
    ticket = open_ticket(actor, customer, "Card on file", description="My card is 4111 1111 1111 1111, exp 09/29.")
    message = use_cases.log_customer_message(ticket, actor=actor, channel="email",
                                             body="Again: card 4111 1111 1111 1111, call (415) 555-0177.")
    record_resolution(ticket, actor)
    update_ticket(ticket, actor=actor, status=Status.SOLVED)
    update_ticket(ticket, actor=actor, status=Status.CLOSED)  # redaction reaches closed tickets too
    for typed in ("4111 1111 1111 1111", "4155550177"):
        assert found(agent, typed), typed
    done = ticket_actions.redact(ticket, actor=actor, text="4111 1111 1111 1111")
    done_phone = ticket_actions.redact(ticket, actor=actor, text="(415) 555-0177")
    assert done == {"subject": 0, "description": 1, "interactions": {message.pk: 1}, "records": {}}
    assert done_phone == {"subject": 0, "description": 0, "interactions": {message.pk: 1}, "records": {}}
    assert found(agent, "4111") == [] and found(agent, "4155550177") == []
    assert ("interaction", message.pk) in found(agent, "redacted")  # the rest of the text is still found
    events = list(ticket.events.filter(action__endswith=".redacted").order_by("id").values_list("action", "after"))
    assert events == [("interaction.redacted", {"occurrences": 1}), ("description.redacted", {"occurrences": 1}),
                      ("interaction.redacted", {"occurrences": 1})]
    with pytest.raises(ValidationFailed) as refused:
        ticket_actions.redact(ticket, actor=actor, text="4111 1111 1111 1111")  # gone already
    assert refused.value.field == "text"


def test_a_subject_match_ranks_above_body_matches(agent, actor, customer):
    body_only = [open_ticket(actor, customer, f"Question {n}", description="Where is my voucher? voucher voucher")
                 for n in range(3)]
    subject = open_ticket(actor, customer, "Voucher", description="Nothing else here.")
    hits = queries.search("voucher", agent=agent).hits
    assert (hits[0].source, hits[0].object_id) == ("ticket", subject.pk)
    assert {hit.object_id for hit in hits[1:]} >= {t.pk for t in body_only}


def test_a_role_without_tickets_finds_nothing(make_agent, agent, actor, customer):
    open_ticket(actor, customer, "Visible to agents")
    outsider = make_agent("nobody", roles.AGENT)
    outsider.groups.clear()
    assert found(outsider, "visible") == []
    assert found(None, "visible") == []
    assert found(agent, "visible") != []


def test_filters_and_cursor_pages(agent, actor, customer):
    tickets = [open_ticket(actor, customer, f"Gadget {n}") for n in range(5)]
    update_ticket(tickets[0], actor=actor, status=Status.OPEN)
    assert found(agent, "gadget", filters=Filters(status=[Status.OPEN])) == [("ticket", tickets[0].pk)]
    seen, cursor = [], None
    while True:
        page = queries.search("gadget", agent=agent, limit=2, cursor=cursor)
        seen += [hit.object_id for hit in page.hits]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert sorted(seen) == sorted(t.pk for t in tickets)
    with pytest.raises(ValidationFailed):
        queries.search("gadget", agent=agent, cursor="nonsense")


def test_a_build_indexes_an_existing_database_and_resumes(agent, actor, customer):
    tickets = [open_ticket(actor, customer, f"Widget {n}") for n in range(5)]
    actions.clear()
    assert found(agent, "widget") == []
    calls = []
    state = actions.build("ticket", progress=calls.append, stop=lambda: len(calls) == 1)
    assert state.finished_at is None
    state = actions.build("ticket")
    assert state.finished_at is not None and IndexBuild.objects.get(source="ticket").last_id == tickets[-1].pk
    assert sorted(object_id for _, object_id in found(agent, "widget")) == sorted(t.pk for t in tickets)
    assert SearchDocument.objects.filter(source="ticket").count() == 5


def test_a_build_writes_the_documents_the_changes_wrote(agent, actor, customer):
    """A build's batches (set-based SQL on PostgreSQL) write what following the changes writes."""
    ticket = open_ticket(actor, customer, "Call me back", description="Reach me at (415) 555-0199.")
    order = customer_actions.create_order(actor=actor, customer=customer, external_reference="ORD-0042")
    use_cases.open_ticket(actor=actor, requester=customer, subject="Where is my order?",
                          description="No digits in this one", order=order)
    use_cases.add_note(ticket, actor=actor, body="Called 415.555.0199 twice; the café was closed")
    use_cases.add_note(ticket, actor=actor, body="No digits here, just words")
    use_cases.log_call(ticket, actor=actor, direction="outbound", outcome="answered",
                       body="Spoke to her at +1 415 555 0100",
                       call_notes={"caller_name": "Dana Whitfield", "call_type": "Outbound",
                                   "customer_type": "Existing", "reason_for_call": "Renewal status",
                                   "actions_taken": "Explained the 2026-01-05 date"})
    columns = ("source", "object_id", "ticket_id", "customer_id", "public", "at", "ids", "keys", "title", "body")
    followed = sorted(SearchDocument.objects.values_list(*columns))
    actions.clear()
    for source in ("ticket", "interaction", "customer", "order"):
        actions.build(source)
    assert sorted(SearchDocument.objects.values_list(*columns)) == followed
    assert any("4155550100" in keys for source, *_, keys, _, _ in followed if source == "interaction")


def test_postgresql_reads_common_words_bucket_by_bucket_with_the_same_hits(agent, actor, customer, monkeypatch):
    """Above a few thousand expected matches PostgreSQL reads the newest ones bucket by bucket of ids: here
    forced, buckets of 2 ids, it finds and ranks what reading every match does."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's engine")
    from caredesk.search.engines import postgresql

    tickets = [open_ticket(actor, customer, f"Lantern {n}", description="A lantern lantern question") for n in range(7)]
    use_cases.add_note(tickets[2], actor=actor, body="The lantern arrived broken")
    queries_ = ["lantern", '"lantern question"', "lantern arrived"]
    everything = {query: found(agent, query) for query in queries_}
    monkeypatch.setattr(postgresql, "FEW", 0)
    monkeypatch.setattr(postgresql, "BUCKET", 2)
    monkeypatch.setattr(postgresql, "BUCKET_OF", "(d.id / 2)")
    assert {query: found(agent, query) for query in queries_} == everything
    assert len(everything["lantern"]) == 8
    assert [source for source, _ in everything["lantern arrived"]] == ["interaction"]


def test_a_merged_duplicates_messages_are_found_on_the_kept_ticket(agent, actor, customer):
    from caredesk.tickets.actions import merge_tickets

    kept = open_ticket(actor, customer, "Passport delayed")
    duplicate = open_ticket(actor, customer, "Passport delayed again")
    note = use_cases.add_note(duplicate, actor=actor, body="Courier tracking says Albuquerque.")
    merge_tickets(duplicate, kept, actor=Actor.system("merge"))  # an agent's merge now needs a resolution
    [hit] = [hit for hit in queries.search("albuquerque", agent=agent).hits if hit.source == "interaction"]
    assert (hit.object_id, hit.ticket_id) == (note.pk, kept.pk)


def test_the_worker_merges_the_index_and_writes_do_not(agent, actor, customer):
    from django.db import connection

    from caredesk import worker

    tickets = [open_ticket(actor, customer, f"Sprocket {n}") for n in range(12)]  # a transaction each
    merge = dict(worker.jobs())["search index merging"]
    if connection.vendor == "sqlite":
        assert merge() == 1  # twelve segments the writes left unmerged
        while merge():
            pass
    assert merge() == 0
    assert sorted(object_id for _, object_id in found(agent, "sprocket")) == sorted(t.pk for t in tickets)


def test_the_worker_merges_new_segments_and_leaves_the_built_one_alone(agent, actor, customer):
    """The segment a build leaves (one, after 'optimize') is not merged with the small segments of new tickets
    (left on level 1 by FTS5, it was merged with them once three had joined it there), and the segments stay
    few."""
    from django.db import connection

    from caredesk.search.engines import fts5

    if connection.vendor != "sqlite":
        pytest.skip("FTS5's segments: SQLite")
    for n in range(40):  # a distinct vocabulary: a built segment of a few hundred pages
        open_ticket(actor, customer, f"Gasket {n}", " ".join(f"w{n}x{word}" for word in range(2000)))
    actions.optimize()
    cursor = connection.connection.cursor()
    [built] = fts5.read(cursor, "search_fts").segments
    assert fts5.level_of(built.pages) >= 4
    for round_number in range(12):
        for n in range(5):  # a segment each, merged into one of several pages (one page would go back to level 0)
            open_ticket(actor, customer, f"Sprocket {round_number} {n}",
                        " ".join(f"r{round_number}n{n}x{word}" for word in range(300)))
        while actions.merge():
            pass
    for table in ("search_fts", "search_trigram"):
        assert len(fts5.read(cursor, table).segments) <= 7  # up to 3 on each of levels 1 and 2, and the built one
    assert built in fts5.read(cursor, "search_fts").segments  # same id and pages: never rewritten
    assert len(found(agent, "sprocket", limit=100)) == 60


def test_a_build_and_the_worker_forget_the_statistics_that_made_fts5_scan_its_index_at_each_merge(
        agent, actor, customer):
    """ANALYZE run while the index was empty recorded 2 rows for search_fts_data; SQLite then scanned the whole
    table for FTS5's delete of each segment merged away (docs/benchmarks.md). A build's start, its end and
    the worker's step delete them (and reload what is left, so the connection plans without them at once)."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's statistics")
    open_ticket(actor, customer, "Gasket question")

    with connection.cursor() as cursor:
        for step in (lambda: actions.build("ticket", restart=True), actions.optimize, actions.merge):
            cursor.execute("ANALYZE search_fts_data")  # these only: statistics stay loaded for the connection
            cursor.execute("ANALYZE search_trigram_data")
            step()
            cursor.execute("SELECT tbl FROM sqlite_stat1 WHERE tbl GLOB 'search_fts_*' OR tbl GLOB 'search_trigram_*'")
            assert cursor.fetchall() == []

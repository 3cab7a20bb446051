"""Notifications: written by `notify` (one AgentEvent each), from the ticket changes that cause them (assigned,
the customer wrote, @mentions in notes), marked read, and served by the API; kinds are data the team edits."""

from __future__ import annotations

import pytest

from caredesk.core import roles
from caredesk.core.audit import Actor
from caredesk.core.errors import ValidationFailed
from caredesk.core.models import AgentEvent
from caredesk.notifications import actions, queries
from caredesk.notifications.models import Notification, NotificationKind
from caredesk.tickets import actions as ticket_actions
from caredesk.tickets import use_cases


@pytest.fixture
def sam(make_agent):
    return make_agent("sam", roles.AGENT, first_name="Sam", last_name="Ortiz")


def test_notify_writes_one_row_and_one_event_per_recipient(ticket, agent, sam, make_agent):
    lee = make_agent("lee", roles.AGENT)
    rows = actions.notify([sam, lee, sam, None, agent], "sla_warning", ticket, text="  First reply due   in 30 min ",
                          actor=Actor.of_agent(agent))
    assert sorted(row.agent.username for row in rows) == ["lee", "sam"]  # not twice, not the actor
    assert {row.text for row in rows} == {"First reply due in 30 min"}
    events = AgentEvent.objects.filter(action="notification.sent")
    assert sorted(event.agent.username for event in events) == ["lee", "sam"]
    assert events.first().after["kind"] == "sla_warning" and events.first().after["ticket"] == ticket.pk


def test_a_kind_turned_off_sends_nothing_and_an_unknown_kind_is_refused(ticket, sam):
    NotificationKind.objects.filter(key="sla_warning").update(active=False)
    assert actions.notify([sam], "sla_warning", ticket, text="x") == []
    with pytest.raises(ValidationFailed) as error:
        actions.notify([sam], "nope", ticket, text="x")
    assert error.value.field == "kind"
    with pytest.raises(ValidationFailed):
        actions.notify([sam], "mentioned", ticket, text="  ")
    assert not Notification.objects.exists()


def test_assigning_a_ticket_notifies_the_new_assignee_but_not_oneself(ticket, agent, sam, actor):
    ticket_actions.update_ticket(ticket, actor=actor, assignee=sam)
    note = Notification.objects.get(agent=sam)
    assert note.kind.key == "assigned" and note.ticket == ticket
    assert note.text == f"Maria Lopez assigned #{ticket.pk} “Where is my passport?” to you"
    ticket_actions.update_ticket(ticket, actor=actor, assignee=agent)
    assert not Notification.objects.filter(agent=agent).exists()


def test_the_customer_writing_notifies_the_assignee(ticket, sam, actor):
    ticket_actions.update_ticket(ticket, actor=actor, assignee=sam)
    use_cases.log_customer_message(ticket, actor=actor, channel="email", body="Any news on my passport?\nThanks")
    replied = Notification.objects.get(agent=sam, kind__key="customer_replied")
    assert replied.text.startswith("Dana Whitfield replied on #")
    assert replied.text.endswith("Any news on my passport? Thanks")


def test_a_note_mentioning_agents_notifies_them(ticket, agent, sam, actor, make_agent):
    make_agent("lee", roles.AGENT)
    use_cases.add_note(ticket, actor=actor, body="@Sam and @lee please check; mail dana@example.com. @maria @ghost")
    assert sorted(Notification.objects.filter(kind__key="mentioned").values_list("agent__username", flat=True)) \
        == ["lee", "sam"]


def test_mark_read_marks_only_the_agents_own(ticket, agent, sam, actor):
    one, two = (actions.notify([sam], "mentioned", ticket, text=f"note {n}", actor=actor)[0] for n in (1, 2))
    other = actions.notify([agent], "mentioned", ticket, text="for maria")[0]
    assert actions.mark_read(sam, [one.pk, other.pk]) == 1
    assert queries.unread_count(sam) == 1 and queries.unread_count(agent) == 1
    assert actions.mark_read(sam) == 1
    assert actions.mark_read(sam) == 0
    assert list(AgentEvent.objects.filter(action="notification.read").values_list("after", flat=True)) == [
        {"count": 1, "ids": [one.pk]}, {"count": 1, "ids": [two.pk]}]


def test_the_api_lists_and_marks_read(ticket, sam, actor, api_client_for):
    api = api_client_for(sam)
    note = actions.notify([sam], "mentioned", ticket, text="look", actor=actor)[0]
    answer = api.get("/api/v1/notifications").json()
    assert answer["unread"] == 1
    assert answer["items"][0] | {"created_at": None} == {
        "id": note.pk, "kind": "mentioned", "kind_name": "Mentioned in a note", "ticket_id": ticket.pk,
        "text": "look", "actor": "maria", "created_at": None, "read_at": None}
    marked = api.post("/api/v1/notifications/read", {"ids": [note.pk]}, content_type="application/json")
    assert marked.json() == {"marked": 1, "unread": 0}
    assert api.get("/api/v1/notifications?unread=true").json()["items"] == []
    bad = api.post("/api/v1/notifications/read", {"ids": ["x"]}, content_type="application/json")
    assert bad.status_code == 422 and bad["Content-Type"] == "application/problem+json"


def test_the_bell_the_list_and_marking_read_in_the_workspace(client, ticket, agent, sam, actor):
    client.force_login(sam)
    assert 'id="bell-count" hidden' in client.get("/").content.decode()
    first, second = (actions.notify([sam], "mentioned", ticket, text=f"look {n}", actor=actor)[0] for n in (1, 2))
    page = client.get("/").content.decode()
    assert 'aria-label="Notifications, 2 unread"' in page and 'id="bell-count">2<' in page
    panel = client.get("/notifications/panel/").content.decode()
    assert panel.count('class="notification unread"') == 2 and "Mark all read" in panel
    opened = client.post("/notifications/read/", {"id": first.pk})
    assert opened.status_code == 302 and opened["Location"] == f"/tickets/{ticket.pk}/"
    assert queries.unread_count(sam) == 1
    assert client.post("/notifications/read/", {"id": 999999}).status_code == 302  # not theirs: nothing
    answer = client.post("/notifications/read/", HTTP_HX_REQUEST="true")
    assert 'class="notification unread"' not in answer.content.decode() and second.text in answer.content.decode()
    assert queries.unread_count(sam) == 0
    assert client.get("/notifications/read/").status_code == 405

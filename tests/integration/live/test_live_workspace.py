"""The live workspace through Django's test client: the poll's conditional answers and its cost, presence on a
ticket (web and API), the agent's time zone (setting, audit, every page), and the compliance report's zone."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from caredesk.core import clock, roles
from caredesk.core.models import AgentEvent
from caredesk.live import actions, queries
from caredesk.live.models import TicketPresence
from caredesk.notifications.actions import notify
from caredesk.tickets.actions import update_ticket


@pytest.fixture
def signed_in(client, agent):
    client.force_login(agent)
    return client


@pytest.fixture
def sam(make_agent):
    return make_agent("sam", roles.AGENT, first_name="Sam", last_name="Ortiz")


def _poll(client, token: str, etag: str = ""):
    return client.get(f"/live/?token={token}", **({"HTTP_IF_NONE_MATCH": etag} if etag else {}))


def test_the_poll_answers_304_until_the_ticket_or_the_unread_count_changes(client, ticket, agent, sam, actor):
    token = queries.poll_token(agent.pk, ticket.pk, False)
    first = _poll(client, token)  # no session: the signed token says what to watch
    assert first.status_code == 200 and first["Cache-Control"] == "private, no-cache"
    assert set(first.json()) == {"ticket", "unread"}
    etag = first["ETag"]
    with CaptureQueriesContext(connection) as captured:
        unchanged = _poll(client, token, etag)
    assert unchanged.status_code == 304 and unchanged.content == b""
    assert len(captured) == 1  # one statement: the agent active, the unread count, the ticket's stamp

    with clock.frozen_at(clock.now() + timedelta(seconds=5)):
        update_ticket(ticket, actor=actor, priority=3)
    changed = _poll(client, token, etag)
    assert changed.status_code == 200 and changed["ETag"] != etag

    notify([agent], "mentioned", ticket, text="look", actor=type(actor).of_agent(sam))
    counted = _poll(client, token, changed["ETag"])
    assert counted.status_code == 200 and counted.json()["unread"] == 1


def test_the_poll_watches_every_ticket_for_a_list(client, agent, ticket, customer, actor):
    from caredesk.tickets.actions import create_ticket

    token = queries.poll_token(agent.pk, None, True)
    first = _poll(client, token)
    assert set(first.json()) == {"tickets", "unread"}
    with clock.frozen_at(clock.now() + timedelta(seconds=5)):
        create_ticket(actor=actor, requester=customer, subject="Another")
    assert _poll(client, token, first["ETag"]).status_code == 200


def test_a_page_carries_its_token_and_the_state_it_was_rendered_with(signed_in, ticket, agent):
    page = signed_in.get(f"/tickets/{ticket.pk}/").content.decode()
    token = re.search(r'data-live-token="([^"]+)"', page).group(1)
    assert queries.read_poll_token(token) == (agent.pk, ticket.pk, False)
    etag = _poll(signed_in, token)["ETag"]
    assert f'data-live-etag="{etag.replace(chr(34), "&quot;")}"' in page


def test_a_forged_or_deactivated_token_is_refused(client, agent, ticket):
    from caredesk.core.actions import deactivate_agent

    token = queries.poll_token(agent.pk, ticket.pk, False)
    assert _poll(client, token[:-2] + "xx").status_code == 403
    assert _poll(client, "").status_code == 403
    deactivate_agent(agent)
    assert _poll(client, token).status_code == 403


def test_presence_beats_expire_and_leave(signed_in, client, ticket, agent, sam, settings, frozen_clock):
    settings.PRESENCE_SECONDS = 30
    actions.beat(sam, ticket, "replying")
    strip = signed_in.post(f"/tickets/{ticket.pk}/presence/", {"state": "viewing"}).content.decode()
    assert "Sam Ortiz is replying" in strip and "Maria" not in strip
    assert [row.agent.username for row in queries.present(ticket.pk)] == ["sam", "maria"]
    frozen_clock.advance(timedelta(seconds=31))
    assert queries.present(ticket.pk) == []
    assert signed_in.post(f"/tickets/{ticket.pk}/presence/", {"state": "typing"}).status_code == 422
    assert signed_in.post(f"/tickets/{ticket.pk}/presence/", {"leave": "1"}).status_code == 204
    assert not TicketPresence.objects.filter(agent=agent).exists()


def test_presence_through_the_api(api, ticket, sam):
    actions.beat(sam, ticket)
    beat = api.post(f"/api/v1/tickets/{ticket.pk}/presence", {"state": "replying"}, content_type="application/json")
    assert [(row["agent"], row["state"]) for row in beat.json()] == [("sam", "viewing")]
    listed = api.get(f"/api/v1/tickets/{ticket.pk}/presence").json()
    assert [(row["agent"], row["state"]) for row in listed] == [("maria", "replying"), ("sam", "viewing")]
    bad = api.post(f"/api/v1/tickets/{ticket.pk}/presence", {"state": "x"}, content_type="application/json")
    assert bad.status_code == 422 and "state" in bad.content.decode()
    assert api.get("/api/v1/tickets/999999/presence").status_code == 404


def test_the_time_zone_setting_is_audited_and_checked(signed_in, agent, api):
    assert signed_in.get("/settings/").status_code == 200
    bad = signed_in.post("/settings/", {"time_zone": "Mars/Olympus"})
    assert bad.status_code == 422 and "Mars/Olympus" in bad.content.decode()
    signed_in.post("/settings/", {"time_zone": "Asia/Tokyo"})
    signed_in.post("/settings/", {"time_zone": "Asia/Tokyo"})  # nothing changed: nothing written
    event = AgentEvent.objects.get(action="time_zone.changed")
    assert (event.before, event.after) == (None, "Asia/Tokyo")
    assert api.get("/api/v1/me/settings").json() == {"time_zone": "Asia/Tokyo", "effective_time_zone": "Asia/Tokyo"}
    answer = api.put("/api/v1/me/settings", {"time_zone": "Nowhere/Else"}, content_type="application/json")
    assert answer.status_code == 422 and "time_zone" in answer.content.decode()
    answer = api.put("/api/v1/me/settings", {"time_zone": ""}, content_type="application/json")
    assert answer.json() == {"time_zone": "", "effective_time_zone": "America/New_York"}


def test_every_time_on_a_page_is_in_the_agents_zone(signed_in, ticket, agent, customer):
    actions.set_time_zone(agent, "Asia/Tokyo")
    for url in (f"/tickets/{ticket.pk}/", f"/customers/{customer.pk}/", "/notifications/"):
        page = signed_in.get(url).content.decode()
        assert " UTC" not in page, url
    assert " JST" in signed_in.get(f"/tickets/{ticket.pk}/timeline/").content.decode()


def test_the_compliance_report_starts_in_the_agents_zone_and_keeps_it_after_an_error(client, make_agent):
    lead = make_agent("tess", roles.TEAM_SUPERVISOR)
    client.force_login(lead)
    assert 'value="America/New_York" selected' in client.get("/reports/compliance/").content.decode()
    actions.set_time_zone(lead, "Europe/Paris")
    page = client.get("/reports/compliance/?since=2026-03-09&until=2026-03-01").content.decode()
    assert 'value="Europe/Paris" selected' in page and 'value="Africa/Abidjan" selected' not in page


def test_the_live_panels_come_in_one_answer_with_bounded_queries(signed_in, ticket, actor):
    from caredesk.tickets.actions import add_interaction

    def panels():
        with CaptureQueriesContext(connection) as captured:
            answer = signed_in.get(f"/tickets/{ticket.pk}/live/")
        assert answer.status_code == 200
        return answer.content.decode(), len(captured)

    add_interaction(ticket, actor=actor, channel="internal", direction="internal", kind="note", body="first")
    html, few = panels()
    for panel in ('id="ticket-head"', 'id="properties"', 'id="timeline"', 'id="follow-up"', 'id="ticket-flags"',
                  'id="review"', 'id="escalation"'):
        assert panel in html, panel
    assert 'id="composer"' not in html  # the draft stays where it is
    for index in range(20):
        add_interaction(ticket, actor=actor, channel="internal", direction="internal", kind="note", body=f"n{index}")
    _, many = panels()
    assert many == few
    assert signed_in.get("/tickets/999999/live/").status_code == 404

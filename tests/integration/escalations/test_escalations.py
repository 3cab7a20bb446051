"""Escalations through their actions and the API: only on request, the customer's choice, the warm transfer
swept by the worker, voicemail callbacks, and presence deciding whom the ladder rings."""

from __future__ import annotations

from datetime import timedelta

import pytest

from caredesk.core import roles
from caredesk.core.actions import set_presence
from caredesk.escalations import actions
from caredesk.escalations.models import Escalation
from caredesk.playbooks.models import FollowUpTask, PlaybookRun
from caredesk.tickets.actions import update_ticket
from tests.integration.helpers import assert_problem, events_of, nothing_written, post_json


@pytest.fixture
def team(make_agent):
    def member(username, role, presence="available", skills=("Resolution Lead",)):
        agent = make_agent(username, role, skills=list(skills))
        return set_presence(agent, presence)

    return {
        "sam": member("sam", roles.RESOLUTION_SPECIALIST),
        "rita": member("rita", roles.RESOLUTION_SPECIALIST, presence="busy"),
        "nora": member("nora", roles.RESOLUTION_SPECIALIST, skills=()),
        "tess": member("tess", roles.TEAM_SUPERVISOR),
        "lee": member("lee", roles.RESOLUTION_LEAD, presence="offline"),
    }


def kinds(ticket):
    return [event.action for event in events_of(ticket) if event.action.startswith("escalation.")]


def test_no_choice_and_no_transfer_before_the_customer_asks(api, ticket):
    assert_problem(api.post("/api/v1/escalations/1/choice", '{"choice": "refused_to_wait"}',
                            content_type="application/json"), 404)
    assert Escalation.objects.count() == 0
    assert api.get(f"/api/v1/tickets/{ticket.pk}/escalations").json() == []


def test_asking_stops_the_general_follow_up_and_tags_the_ticket(agent, actor, ticket, frozen_clock):
    from caredesk.tickets.models import TicketType

    update_ticket(ticket, actor=actor, ticket_type=TicketType.objects.get(key="general_inquiry"), status="pending")
    assert PlaybookRun.objects.get(ticket=ticket).status == "running"
    actions.record_request(ticket, agent=agent, reason="I want your manager")
    run = PlaybookRun.objects.get(ticket=ticket)
    assert (run.status, run.outcome) == ("ended", "stopped")
    assert set(ticket.tags.values_list("name", flat=True)) == {"escalated"}
    update_ticket(ticket, actor=actor, status="open")
    update_ticket(ticket, actor=actor, status="pending")  # the tag keeps the general follow-up off
    assert PlaybookRun.objects.filter(ticket=ticket, status="running").count() == 0


def test_agreeing_to_wait_starts_the_escalation_playbook(api, ticket, frozen_clock):
    created = post_json(api, f"/api/v1/tickets/{ticket.pk}/escalations", {"reason": "Get me leadership"})
    assert created.status_code == 201, created.content
    escalation = created.json()
    assert escalation["status"] == "requested"
    assert_problem(post_json(api, f"/api/v1/tickets/{ticket.pk}/escalations", {}), 409, "ticket")
    chosen = post_json(api, f"/api/v1/escalations/{escalation['id']}/choice", {"choice": "agreed_to_wait"})
    assert chosen.json()["status"] == "waiting_for_update"
    task = FollowUpTask.objects.get(ticket=ticket)
    assert task.run.definition.name == "irate_customer_escalation"
    assert task.overdue_at - frozen_clock.now() < timedelta(days=2)  # Monday: the end of Tuesday, New York time
    assert_problem(post_json(api, f"/api/v1/escalations/{escalation['id']}/choice", {"choice": "refused_to_wait"}),
                   409, "choice")
    assert kinds(ticket) == ["escalation.requested", "escalation.agreed_to_wait"]


def test_a_bad_choice_names_the_field_and_writes_nothing(api, agent, ticket):
    escalation = actions.record_request(ticket, agent=agent)
    with nothing_written():
        assert_problem(post_json(api, f"/api/v1/escalations/{escalation.pk}/choice", {"choice": "maybe"}), 422,
                       "choice")


def test_the_ladder_rings_only_available_agents_with_the_role_and_skill(api, agent, ticket, team, frozen_clock):
    escalation = actions.record_request(ticket, agent=agent)
    described = post_json(api, f"/api/v1/escalations/{escalation.pk}/choice", {"choice": "refused_to_wait"}).json()
    assert (described["status"], described["rung_title"], described["ringing"]) == ("ringing", "Resolution Specialist", ["sam"])
    assert described["seconds_left"] == 30 and "voicemail" in described["say_before_transfer"]
    frozen_clock.advance(timedelta(seconds=29))
    assert actions.sweep_due() == 0
    frozen_clock.advance(timedelta(seconds=1))
    assert actions.sweep_due() == 1
    assert actions.sweep_due() == 0  # a rung times out once
    escalation.refresh_from_db()
    assert escalation.status == "ringing" and list(escalation.ringing.values_list("username", flat=True)) == ["tess"]
    frozen_clock.advance(timedelta(seconds=30))
    actions.sweep_due()
    escalation.refresh_from_db()
    assert (escalation.status, escalation.callback_role) == ("voicemail", roles.RESOLUTION_LEAD)
    assert kinds(ticket) == ["escalation.requested", "escalation.refused_to_wait", "escalation.transfer_rung",
                             "escalation.transfer_timed_out", "escalation.transfer_rung",
                             "escalation.transfer_timed_out", "escalation.voicemail"]


def test_answer_decline_accept_through_the_api(api_client_for, agent, ticket, team, frozen_clock):
    escalation = actions.record_request(ticket, agent=agent)
    actions.record_choice(escalation, agent=agent, waits=False)
    sam, tess = api_client_for(team["sam"]), api_client_for(team["tess"])
    assert_problem(tess.post(f"/api/v1/escalations/{escalation.pk}/answer"), 409, "escalation")
    assert [item["id"] for item in sam.get("/api/v1/escalations/mine").json()] == [escalation.pk]
    assert sam.post(f"/api/v1/escalations/{escalation.pk}/answer").json()["status"] == "discussing"
    declined = post_json(sam, f"/api/v1/escalations/{escalation.pk}/decline", {"note": "Needs a supervisor"}).json()
    assert (declined["status"], declined["ringing"]) == ("ringing", ["tess"])
    tess.post(f"/api/v1/escalations/{escalation.pk}/answer")
    accepted = tess.post(f"/api/v1/escalations/{escalation.pk}/accept").json()
    assert accepted["status"] == "transferred"
    ticket.refresh_from_db()
    assert ticket.assignee == team["tess"]


def test_the_voicemail_callback_is_for_a_resolution_lead(api, api_client_for, agent, ticket, team):
    set_presence(team["sam"], "offline")
    set_presence(team["tess"], "busy")
    escalation = actions.record_request(ticket, agent=agent)
    actions.record_choice(escalation, agent=agent, waits=False)
    escalation.refresh_from_db()
    assert escalation.status == "voicemail"
    assert_problem(post_json(api, f"/api/v1/escalations/{escalation.pk}/callback", {}), 403, "escalation")
    lee = api_client_for(team["lee"])
    assert [item["callback_task"] for item in lee.get("/api/v1/escalations/mine").json()] == [
        "Call back the escalated customer who left a voicemail"]
    done = post_json(lee, f"/api/v1/escalations/{escalation.pk}/callback", {"note": "Called, resolved."}).json()
    assert (done["status"], done["called_back_by"]) == ("called_back", "lee")
    assert lee.get("/api/v1/escalations/mine").json() == []


def test_the_voicemail_becomes_a_callback_task_due_now_and_overdue_after_a_business_day(
        api_client_for, agent, ticket, team, frozen_clock):
    set_presence(team["sam"], "offline")
    set_presence(team["tess"], "busy")
    escalation = actions.record_choice(actions.record_request(ticket, agent=agent), agent=agent, waits=False)
    task = escalation.callback_task
    assert (task.kind, task.status) == ("call", "open")
    assert task.title == "Call back the escalated customer who left a voicemail"
    assert task.due_at == frozen_clock.now() and task.run.definition.name == "escalation_voicemail_callback"
    assert task.overdue_at.isoformat() == "2026-03-04T05:00:00+00:00"  # Monday's voicemail: overdue when Tuesday ends
    lee = api_client_for(team["lee"])
    [mine] = lee.get("/api/v1/escalations/mine").json()
    assert (mine["callback_task_id"], mine["callback_overdue"]) == (task.pk, False)
    frozen_clock.advance(timedelta(days=2))
    [mine] = lee.get("/api/v1/escalations/mine").json()
    assert mine["callback_overdue"] is True
    post_json(lee, f"/api/v1/escalations/{escalation.pk}/callback", {"note": "Called, resolved."})
    task.refresh_from_db()
    assert (task.status, task.reached, task.completed_by) == ("done", True, team["lee"])
    assert task.run.status == PlaybookRun.Status.ENDED


def test_an_agent_sets_their_presence(api, agent):
    assert api.put("/api/v1/agents/me/presence", '{"presence": "available"}',
                   content_type="application/json").json()["presence"] == "available"
    assert_problem(api.put("/api/v1/agents/me/presence", '{"presence": "away"}', content_type="application/json"),
                   422, "presence")


def test_the_worker_wakes_when_a_rung_falls_due(transactional_db, agent, ticket, team, frozen_clock):
    """(transactional_db: a worker pass closes a connection left outside autocommit, as a test's would be.)"""
    from caredesk import worker

    assert worker.pause(5.0) == 5.0  # nothing rings
    actions.record_choice(actions.record_request(ticket, agent=agent), agent=agent, waits=False)
    frozen_clock.advance(timedelta(seconds=27))
    assert worker.pause(5.0) == 3.0
    frozen_clock.advance(timedelta(seconds=10))
    assert worker.pause(5.0) == 0.0
    assert dict(worker.run_once())["escalation transfers"] == 1

"""The playbook routes: runs and tasks of a ticket, task completion, flags, and the compliance report."""

from __future__ import annotations

from caredesk.core import roles
from caredesk.core.audit import Actor
from caredesk.playbooks.models import FollowUpTask
from caredesk.playbooks.runner import sweep_all
from caredesk.tickets.actions import update_ticket
from caredesk.tickets.models import Interaction, TicketEvent


def start_follow_up(agent, make_ticket, **ticket_fields):
    ticket = make_ticket(**ticket_fields)
    update_ticket(ticket, actor=Actor.of_agent(agent), status="pending")
    return ticket


def test_a_ticket_shows_its_running_playbook_and_task_checklist(frozen_clock, agent, api, make_ticket):
    ticket = start_follow_up(agent, make_ticket, order=True, phones=["+1 415 555 0132"])
    [run] = api.get(f"/api/v1/tickets/{ticket.pk}/playbook-runs").json()
    assert run["playbook"] == "general_inquiry_follow_up" and run["status"] == "running"
    assert run["current_day"] == 1 and run["cycle"] == 1
    [task] = api.get(f"/api/v1/tickets/{ticket.pk}/tasks").json()
    assert [entry["channel"] for entry in task["channels"]] == ["email", "call", "text"]
    assert task["status"] == "open" and task["overdue"] is False
    mine = api.get("/api/v1/tasks").json()["items"]
    assert [item["id"] for item in mine] == [task["id"]]


def test_completing_a_task_writes_the_note_and_keeps_the_ticket_pending(frozen_clock, agent, api, make_ticket):
    ticket = start_follow_up(agent, make_ticket)
    task = FollowUpTask.objects.get(ticket=ticket)
    response = api.post(f"/api/v1/tasks/{task.pk}/complete", {"channels_tried": ["email"], "reached": False},
                        content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "done"
    assert Interaction.objects.get(ticket=ticket, kind="note").body == "1/3"
    assert TicketEvent.objects.filter(ticket=ticket, action="task.completed", actor=agent).exists()
    again = api.post(f"/api/v1/tasks/{task.pk}/complete", {"channels_tried": ["email"], "reached": False},
                     content_type="application/json")
    assert again.status_code == 409 and again["Content-Type"] == "application/problem+json"


def test_reaching_the_customer_ends_the_follow_up(frozen_clock, agent, api, make_ticket):
    ticket = start_follow_up(agent, make_ticket)
    task = FollowUpTask.objects.get(ticket=ticket)
    api.post(f"/api/v1/tasks/{task.pk}/complete", {"channels_tried": ["email"], "reached": True},
             content_type="application/json")
    [run] = api.get(f"/api/v1/tickets/{ticket.pk}/playbook-runs").json()
    assert run["status"] == "ended" and run["outcome"] == "customer_reached"
    assert not Interaction.objects.filter(ticket=ticket, kind="note").exists()


def test_bad_task_completions_change_nothing(frozen_clock, agent, api, make_ticket):
    ticket = start_follow_up(agent, make_ticket)
    task = FollowUpTask.objects.get(ticket=ticket)
    events = TicketEvent.objects.count()
    for body in ({"channels_tried": ["fax"], "reached": False}, {"channels_tried": ["email"]},
                 {"channels_tried": [], "reached": False}, {"channels_tried": "email", "reached": "maybe"}):
        response = api.post(f"/api/v1/tasks/{task.pk}/complete", body, content_type="application/json")
        assert response.status_code == 422, body
        assert response["Content-Type"] == "application/problem+json"
    assert api.post("/api/v1/tasks/999999/complete", {"reached": True},
                    content_type="application/json").status_code == 404
    task.refresh_from_db()
    assert task.status == "open" and TicketEvent.objects.count() == events


def test_compliance_report_counts_on_time_late_and_missed(frozen_clock, agent, api, make_agent, api_client_for,
                                                          make_ticket, move_to_day):
    on_time = start_follow_up(agent, make_ticket, name="On Time")
    late = start_follow_up(agent, make_ticket, name="Late One")
    missed = start_follow_up(agent, make_ticket, name="Missed One")
    run = on_time.playbook_runs.get()
    api.post(f"/api/v1/tasks/{FollowUpTask.objects.get(ticket=on_time).pk}/complete",
             {"channels_tried": ["email"], "reached": False}, content_type="application/json")
    move_to_day(run, 2)
    api.post(f"/api/v1/tasks/{FollowUpTask.objects.get(ticket=late).pk}/complete",
             {"channels_tried": ["email"], "reached": False}, content_type="application/json")
    move_to_day(run, 3)
    sweep_all()
    assert FollowUpTask.objects.get(ticket=missed, day=1).status == "missed"

    supervisor = api_client_for(make_agent("heather", roles.TEAM_SUPERVISOR))
    day_one = run.started_at.date().isoformat()
    report = supervisor.get(f"/api/v1/reports/compliance?since={day_one}&until={day_one}").json()
    [row] = report["rows"]
    assert (row["required"], row["on_time"], row["late"], row["missed"]) == (3, 1, 1, 1)
    assert row["agent"] == agent.username and row["playbook"] == "general_inquiry_follow_up"
    assert api.get("/api/v1/reports/compliance").status_code == 403  # an Agent does not see reports
    bad = supervisor.get("/api/v1/reports/compliance?timezone=Mars/Olympus")
    assert bad.status_code == 422 and bad.json()["field"] == "timezone"

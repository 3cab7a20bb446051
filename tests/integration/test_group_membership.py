"""Group membership: set only through the desk action (audited), through the admin, the API and the workspace's
Groups page; the My groups views; and SLA warnings reaching a group's members, one notification per recipient
per sweep, as the policy's `warn_group` says, with the members read in one query per sweep batch."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from caredesk.core import clock, roles
from caredesk.core.actions import deactivate_agent
from caredesk.core.audit import Actor
from caredesk.core.errors import ValidationFailed
from caredesk.desk import actions
from caredesk.desk.models import DeskEvent, GroupMembership
from caredesk.notifications.models import Notification
from caredesk.sla import actions as sla_actions
from caredesk.sla.models import SlaPolicy
from caredesk.tickets.actions import create_ticket
from caredesk.tickets.models import Group

MONDAY_9 = datetime(2025, 9, 15, 9, 0, tzinfo=ZoneInfo("America/New_York"))
WARNED = MONDAY_9 + timedelta(hours=7, seconds=30)  # the standard policy warns an hour before 8 business hours


@pytest.fixture
def supervisor(make_agent):
    return make_agent("tess", roles.TEAM_SUPERVISOR)


@pytest.fixture
def group(db):
    return Group.objects.get(key="unresponsive_customers")


@pytest.fixture
def team(make_agent):
    return [make_agent(f"member{index}", roles.AGENT) for index in range(3)]


def usernames(group) -> list[str]:
    return sorted(GroupMembership.objects.filter(group=group).values_list("agent__username", flat=True))


def warnings_of(agent) -> list[Notification]:
    return list(Notification.objects.filter(agent=agent, kind__key="sla_warning").order_by("id"))


# --- the action ---------------------------------------------------------------------------------------------------


def test_setting_members_adds_and_removes_in_one_audited_change(group, team, actor):
    actions.set_group_members(group, actor=actor, agents=team[:2])
    actions.set_group_members(group, actor=actor, agents=team[1:])
    actions.set_group_members(group, actor=actor, agents=team[1:])  # no change: no event
    assert usernames(group) == ["member1", "member2"]
    events = list(DeskEvent.objects.filter(action="group.members.changed").order_by("id"))
    assert [(event.before, event.after["added"], event.after["removed"]) for event in events] == [
        ([], ["member0", "member1"], []), (["member0", "member1"], ["member2"], ["member0"])]
    assert events[1].group == group and events[1].actor_label == "maria"


def test_a_deactivated_agent_cannot_join_and_nothing_is_written(group, team, actor, admin_agent):
    deactivate_agent(team[0], actor=Actor.of_agent(admin_agent))
    team[0].refresh_from_db()
    with pytest.raises(ValidationFailed) as error:
        actions.set_group_members(group, actor=actor, agents=team)
    assert error.value.field == "members" and "member0" in error.value.detail
    assert usernames(group) == [] and not DeskEvent.objects.filter(action="group.members.changed").exists()


# --- API ----------------------------------------------------------------------------------------------------------


def test_the_api_lists_and_sets_a_groups_members(group, team, supervisor, api_client_for):
    api = api_client_for(supervisor)
    answer = api.put(f"/api/v1/groups/{group.key}/members", {"members": ["member2", "member0"]},
                     content_type="application/json")
    assert answer.status_code == 200, answer.content
    assert [row["username"] for row in answer.json()] == ["member0", "member2"]
    listed = api.get(f"/api/v1/groups/{group.key}/members").json()
    assert [row["username"] for row in listed] == ["member0", "member2"]
    assert DeskEvent.objects.get(action="group.members.changed").actor_label == "tess"


def test_the_api_refuses_bad_input_with_a_problem_naming_the_field(group, team, supervisor, api_client_for):
    api = api_client_for(supervisor)
    unknown = api.put(f"/api/v1/groups/{group.key}/members", {"members": ["member0", "nobody-here"]},
                      content_type="application/json")
    assert unknown.status_code == 422 and unknown["content-type"] == "application/problem+json"
    assert unknown.json()["field"] == "members" and "nobody-here" in unknown.json()["detail"]
    not_a_list = api.put(f"/api/v1/groups/{group.key}/members", {"members": "member0"},
                         content_type="application/json")
    assert not_a_list.status_code == 422 and not_a_list["content-type"] == "application/problem+json"
    missing = api.put("/api/v1/groups/no-such-group/members", {"members": []}, content_type="application/json")
    assert missing.status_code == 404 and missing["content-type"] == "application/problem+json"
    assert usernames(group) == []


def test_another_role_may_list_but_not_set_members(group, team, api):
    assert api.get(f"/api/v1/groups/{group.key}/members").status_code == 200
    refused = api.put(f"/api/v1/groups/{group.key}/members", {"members": ["member0"]},
                      content_type="application/json")
    assert refused.status_code == 403 and refused["content-type"] == "application/problem+json"
    assert usernames(group) == []


# --- admin and workspace ------------------------------------------------------------------------------------------


def test_the_admin_edits_members_through_the_action(client, admin_agent, group, team):
    client.force_login(admin_agent)
    assert client.get("/admin/desk/groupmembers/").status_code == 200
    response = client.post(f"/admin/desk/groupmembers/{group.pk}/change/", {"members": [team[0].pk, team[2].pk]})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert usernames(group) == ["member0", "member2"]
    assert DeskEvent.objects.get(action="group.members.changed").actor_label == "root"


def test_the_groups_page_shows_members_and_a_supervisor_changes_them(client, supervisor, group, team):
    client.force_login(supervisor)
    field = f"group-{group.pk}-members"
    response = client.post(f"/groups/{group.pk}/members/", {field: [team[1].pk]})
    assert response.status_code == 302
    page = client.get("/groups/").content.decode()
    assert "Save members of Unresponsive Customers" in page and usernames(group) == ["member1"]
    bad = client.post(f"/groups/{group.pk}/members/", {field: ["999999"]})
    assert bad.status_code == 422 and "999999 is not an active agent" in bad.content.decode()
    assert usernames(group) == ["member1"]


def test_an_agent_sees_the_groups_page_without_forms_and_cannot_post(client, agent, group, team, actor):
    actions.set_group_members(group, actor=actor, agents=[team[0]])
    client.force_login(agent)
    page = client.get("/groups/").content.decode()
    assert "Save members of" not in page and team[0].display_name in page
    assert client.post(f"/groups/{group.pk}/members/", {f"group-{group.pk}-members": [agent.pk]}).status_code == 403
    assert usernames(group) == ["member0"]


def test_my_groups_views_show_the_tickets_of_my_groups(client, agent, group, customer, actor):
    other = Group.objects.exclude(pk=group.pk).first()
    actions.set_group_members(group, actor=actor, agents=[agent])
    mine = create_ticket(actor=actor, requester=customer, subject="In my group", group=group)
    create_ticket(actor=actor, requester=customer, subject="In another group", group=other)
    create_ticket(actor=actor, requester=customer, subject="Mine but assigned", group=group, assignee=agent)
    client.force_login(agent)
    page = client.get("/views/", {"group": "mine", "assignee": "none", "status": "unsolved"}).content.decode()
    assert f"#{mine.pk}" in page and "In my group" in page
    assert "In another group" not in page and "Mine but assigned" not in page
    assert "Unassigned in my groups" in page



def test_an_agent_in_no_group_has_empty_my_groups_views(client, agent, group, customer, actor):
    create_ticket(actor=actor, requester=customer, subject="In a group", group=group)
    client.force_login(agent)
    page = client.get("/views/", {"group": "mine"})
    assert page.status_code == 200 and "In a group" not in page.content.decode()
    sidebar = {item["name"]: item["count"] for section in page.context["sidebar"] for item in section["items"]}
    assert sidebar["My groups"] == 0 and sidebar["Unassigned in my groups"] == 0 and sidebar["All active"] == 1


# --- SLA warnings to the group ------------------------------------------------------------------------------------


def _tickets(count, customer, actor, **fields):
    with clock.frozen_at(MONDAY_9):
        return [create_ticket(actor=actor, requester=customer, subject=f"Help {index}", **fields)
                for index in range(count)]


def test_an_unassigned_tickets_warning_reaches_every_member_once(group, team, customer, actor):
    actions.set_group_members(group, actor=actor, agents=team)
    ticket = _tickets(1, customer, actor, group=group)[0]
    with clock.frozen_at(WARNED):
        assert sla_actions.sweep_due() == 2  # first reply and periodic update
    for member in team:
        (note,) = warnings_of(member)
        assert note.ticket is None and note.text.startswith("2 SLA targets of your groups' tickets breach soon: "
                                                            f"#{ticket.pk} first reply breaches soon")


def test_the_assignee_who_is_a_member_gets_one_notification_and_others_one_each(group, team, customer, actor):
    actions.set_group_members(group, actor=actor, agents=team)
    assigned = _tickets(1, customer, actor, group=group, assignee=team[0])[0]
    unassigned = _tickets(1, customer, actor, group=group)[0]
    with clock.frozen_at(WARNED):
        assert sla_actions.sweep_due() == 4
    assert [len(warnings_of(member)) for member in team] == [1, 1, 1]
    text = warnings_of(team[0])[0].text
    assert text.startswith("4 SLA targets of your tickets and your groups' breach soon")
    assert f"#{assigned.pk}" in text and f"#{unassigned.pk}" in text


def test_no_floods_a_sweep_of_many_warnings_is_one_notification_per_member(group, team, customer, actor):
    actions.set_group_members(group, actor=actor, agents=team)
    _tickets(12, customer, actor, group=group)
    with clock.frozen_at(WARNED), CaptureQueriesContext(connection) as queries:
        assert sla_actions.sweep_due(batch_size=5) == 24
    assert Notification.objects.filter(kind__key="sla_warning").count() == 3 * 3  # 3 members x 3 batches
    membership_reads = [query for query in queries.captured_queries
                        if GroupMembership._meta.db_table in query["sql"]]
    assert len(membership_reads) == 3  # one per sweep batch, not one per ticket


def test_a_policy_that_warns_the_group_only_while_unassigned(group, team, customer, actor, agent):
    actions.set_group_members(group, actor=actor, agents=team)
    SlaPolicy.objects.filter(key="standard").update(warn_group="unassigned")
    sla_actions.configuration_changed()
    _tickets(1, customer, actor, group=group, assignee=agent)
    with clock.frozen_at(WARNED):
        assert sla_actions.sweep_due() == 2
    assert len(warnings_of(agent)) == 1 and all(not warnings_of(member) for member in team)


def test_the_demos_groups_have_members(db):
    from caredesk.demo import GROUP_MEMBERS, load_demo

    load_demo()
    for key, members in GROUP_MEMBERS.items():
        assert usernames(Group.objects.get(key=key)) == sorted(members)

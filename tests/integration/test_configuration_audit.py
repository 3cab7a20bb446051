"""What an admin changes in the admin site is kept: one ConfigurationEvent per saved or removed row, with
only what changed, inline rows and many-to-many values included; a form saved unchanged or refused writes
nothing (caredesk.core.actions.save_configuration, caredesk.core.admin.AuditedAdmin)."""

from __future__ import annotations

import pytest

from caredesk.calendars.models import BusinessCalendar
from caredesk.core import events
from caredesk.core.models import ConfigurationEvent
from caredesk.sla.models import SlaPolicy
from caredesk.tickets.models import Group
from tests.integration.helpers import add_calendar_exception


@pytest.fixture
def admin_client(client, admin_agent):
    client.force_login(admin_agent)
    return client


def trail(model: str) -> list[tuple]:
    return [(event.action, event.object_label, event.before, event.after, event.actor_label)
            for event in ConfigurationEvent.objects.filter(model=model).order_by("id")]


def test_a_list_entry_added_changed_and_removed_in_the_admin(admin_client, admin_agent):
    answer = admin_client.post("/admin/tickets/group/add/", {"key": "billing", "name": "Billing", "position": 5,
                                                             "active": "on"})
    assert answer.status_code == 302, answer.content.decode()[:2000]
    group = Group.objects.get(key="billing")
    answer = admin_client.post(f"/admin/tickets/group/{group.pk}/change/", {
        "key": "billing", "name": "Billing and refunds", "position": 5, "active": "on"})
    assert answer.status_code == 302
    answer = admin_client.post(f"/admin/tickets/group/{group.pk}/change/", {  # saved again as it is
        "key": "billing", "name": "Billing and refunds", "position": 5, "active": "on"})
    assert answer.status_code == 302
    answer = admin_client.post(f"/admin/tickets/group/{group.pk}/delete/", {"post": "yes"})
    assert answer.status_code == 302 and not Group.objects.filter(pk=group.pk).exists()

    added = {"key": "billing", "name": "Billing", "position": 5, "active": True}
    who = admin_agent.get_username()
    assert trail("tickets.group") == [
        ("configuration.created", "Billing", None, added, who),
        ("configuration.changed", "Billing and refunds", {"name": "Billing"}, {"name": "Billing and refunds"}, who),
        ("configuration.deleted", "Billing and refunds", {**added, "name": "Billing and refunds"}, None, who),
    ]
    sentences = [str(sentence) for sentence in events.describe_all(ConfigurationEvent.objects.order_by("id"))]
    assert sentences == ["added the ticket group “Billing”",
                         "changed the ticket group “Billing and refunds”: name from Billing to Billing and refunds",
                         "removed the ticket group “Billing and refunds”"]


def test_a_change_in_the_list_s_editable_columns_is_audited(admin_client, admin_agent):
    group = Group.objects.order_by("pk").first()
    rows = list(Group.objects.order_by("position", "name", "pk"))  # the changelist's order
    data = {"form-TOTAL_FORMS": str(len(rows)), "form-INITIAL_FORMS": str(len(rows)), "_save": "Save"}
    for index, row in enumerate(rows):
        data[f"form-{index}-id"] = str(row.pk)
        data[f"form-{index}-position"] = str(row.position)
        if row.active and row.pk != group.pk:
            data[f"form-{index}-active"] = "on"
    answer = admin_client.post("/admin/tickets/group/", data)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    assert trail("tickets.group") == [  # the other rows, saved unchanged, write nothing
        ("configuration.changed", group.name, {"active": True}, {"active": False}, admin_agent.get_username())]


def test_a_calendar_s_inline_rows_are_part_of_its_change(admin_client):
    calendar = BusinessCalendar.objects.get(is_default=True)
    answer = add_calendar_exception(admin_client, calendar, "2026-12-24", "Company closed")
    assert answer.status_code == 302
    [(action, label, before, after, _)] = trail("calendars.businesscalendar")
    assert (action, label, list(before), list(after)) == ("configuration.changed", calendar.name, ["exceptions"],
                                                          ["exceptions"])
    assert before == {"exceptions": []}
    assert after == {"exceptions": [{"date": "2026-12-24", "opens": None, "closes": None,
                                     "description": "Company closed"}]}


def test_a_policy_s_many_to_many_values_are_part_of_its_change(admin_client):
    policy = SlaPolicy.objects.get(key="standard")
    page = admin_client.get(f"/admin/sla/slapolicy/{policy.pk}/change/")
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update({"groups": [group.pk for group in Group.objects.filter(key="general_support")]})
    data["priorities"] = [str(value) for value in policy.priorities]
    data["importances"] = list(policy.importances)
    data["ticket_types"] = [item.pk for item in policy.ticket_types.all()]
    data["industries"] = [item.pk for item in policy.industries.all()]
    data["calendar"] = policy.calendar_id or ""
    data["active"] = "on" if policy.active else ""
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        prefix = formset.formset.prefix
        data.update({f"{prefix}-{key}": value for key, value in management.initial.items()})
        for index, inline in enumerate(formset.formset.forms):
            for name, field in inline.fields.items():
                value = inline.initial.get(name, field.initial)
                if value is None:
                    continue
                data[f"{prefix}-{index}-{name}"] = (value.pk if hasattr(value, "pk") else value)
    answer = admin_client.post(f"/admin/sla/slapolicy/{policy.pk}/change/", data)
    assert answer.status_code == 302, answer.content.decode()[:3000]
    [(action, _, before, after, _)] = trail("sla.slapolicy")
    assert action == "configuration.changed"
    assert (before, after) == ({"groups": []}, {"groups": ["General Support"]})


def test_a_refused_form_writes_nothing(admin_client):
    answer = admin_client.post("/admin/tickets/group/add/", {"key": "", "name": "", "position": 1})
    assert answer.status_code == 200  # the form again, with its errors
    assert not ConfigurationEvent.objects.exists()


def test_the_history_is_read_only_in_the_admin(admin_client):
    group = Group.objects.order_by("pk").first()
    admin_client.post(f"/admin/tickets/group/{group.pk}/change/", {
        "key": group.key, "name": group.name + " (day)", "position": group.position, "active": "on"})
    event = ConfigurationEvent.objects.get()
    assert admin_client.get("/admin/core/configurationevent/").status_code == 200
    assert admin_client.get("/admin/core/configurationevent/add/").status_code == 403
    assert admin_client.post(f"/admin/core/configurationevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ConfigurationEvent.objects.filter(pk=event.pk).exists()


def test_the_api_lists_the_history_for_admins_only(admin_client, admin_agent, api, api_client_for):
    for name in ("Nights", "Weekends"):
        admin_client.post("/admin/tickets/group/add/", {"key": name.lower(), "name": name, "position": 9,
                                                        "active": "on"})
    calendar = BusinessCalendar.objects.get(is_default=True)
    add_calendar_exception(admin_client, calendar, "2026-12-31", "New Year's Eve")
    admin_api = api_client_for(admin_agent)

    answer = admin_api.get("/api/v1/configuration-events", {"model": "tickets.group", "limit": 1})
    assert answer.status_code == 200, answer.content
    page = answer.json()
    [newest] = page["items"]
    assert (newest["action"], newest["model"], newest["object_label"], newest["summary"]) == (
        "configuration.created", "tickets.group", "Weekends", "added the ticket group “Weekends”")
    older = admin_api.get("/api/v1/configuration-events",
                          {"model": "tickets.group", "limit": 1, "cursor": page["next_cursor"]}).json()
    assert [item["object_label"] for item in older["items"]] == ["Nights"] and older["next_cursor"] is None
    one = admin_api.get("/api/v1/configuration-events", {"object_id": str(calendar.pk),
                                                         "model": "calendars.businesscalendar"}).json()
    assert [item["after"] for item in one["items"]] == [{"exceptions": [
        {"date": "2026-12-31", "opens": None, "closes": None, "description": "New Year's Eve"}]}]

    assert api.get("/api/v1/configuration-events").status_code == 403  # an agent does not configure
    bad = admin_api.get("/api/v1/configuration-events", {"model": "tickets group; drop", "limit": 0})
    assert bad.status_code == 422 and bad["Content-Type"].startswith("application/problem+json")

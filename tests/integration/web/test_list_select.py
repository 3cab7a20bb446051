"""The agent lists' select writes the HTML Django's Select templates write (attributes in another order and
without the blank lines), for every value an agent list is drawn with."""

from __future__ import annotations

import pytest
from django import forms
from django.test.html import parse_html

from caredesk.web.forms import AgentChoiceField, ListSelect, agent_choices

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("chosen", [None, "", "assignee", "assignee as text", "someone gone"])
def test_the_agent_list_is_djangos_select_without_a_template_per_option(make_agent, chosen):
    tricky = make_agent("zoe", first_name="Zoë & <b>", last_name="O'Neil")
    assignee = make_agent("sam", first_name="Sam", last_name="Ortiz")
    value = {"assignee": assignee.pk, "assignee as text": str(assignee.pk), "someone gone": 99999}.get(chosen, chosen)
    field = AgentChoiceField(queryset=agent_choices(), required=False, empty_label="Unassigned")
    assert isinstance(field.widget, ListSelect)
    attrs = {"id": "id_assignee", "aria-describedby": "help", "hx-post": "/tickets/1/?a=1&b=2", "required": True,
             "disabled": False}
    ours = field.widget.render("assignee", value, attrs)
    assert parse_html(ours) == parse_html(forms.Select.render(field.widget, "assignee", value, attrs))
    assert "Zoë &amp; &lt;b&gt; O&#x27;Neil" in ours and str(tricky.pk) in ours
    assert (f'<option value="{assignee.pk}" selected>' in ours) == (chosen in ("assignee", "assignee as text"))


def test_a_list_with_option_groups_is_left_to_django():
    widget = ListSelect(choices=[("Team", [("1", "Sam")]), ("2", "Dana")])
    assert widget.render("x", "1") == forms.Select(choices=widget.choices).render("x", "1")

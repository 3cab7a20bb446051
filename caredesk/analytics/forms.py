"""The Reports area's filters (GET)."""

from __future__ import annotations

from zoneinfo import available_timezones

from django import forms

from caredesk.core.models import Agent
from caredesk.tickets.models import Category, Channel, Group, Priority


class ReportFilterForm(forms.Form):
    since = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    timezone = forms.ChoiceField(label="Team time zone", required=False)
    group = forms.TypedChoiceField(label="Group", required=False, coerce=int, empty_value=None)
    agent = forms.TypedChoiceField(label="Agent", required=False, coerce=int, empty_value=None)
    category = forms.TypedChoiceField(label="Category", required=False, coerce=int, empty_value=None)
    channel = forms.ChoiceField(label="Channel", required=False, choices=[("", "All channels"), *Channel.choices])
    priority = forms.TypedChoiceField(label="Priority", required=False, coerce=int, empty_value=None,
                                      choices=[("", "All priorities"), *Priority.choices])

    def __init__(self, *args, all_agents: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = [(zone, zone) for zone in sorted(available_timezones())]
        self.fields["group"].choices = [("", "All groups"), *Group.objects.values_list("pk", "name")]
        self.fields["category"].choices = [("", "All categories"), *Category.objects.values_list("pk", "name")]
        if all_agents:
            agents = Agent.objects.filter(is_active=True).order_by("first_name", "username")
            self.fields["agent"].choices = [("", "All agents"), *[(agent.pk, agent.display_name) for agent in agents]]
        else:  # an agent sees their own figures
            del self.fields["agent"]

"""Forms of the desk: canned responses and macros (edited by Team Supervisors), bulk changes over a view's
tickets, applying a macro, merging a duplicate."""

from __future__ import annotations

from django import forms

from caredesk.desk.models import Macro
from caredesk.tickets import lifecycle
from caredesk.tickets.models import COMPOSER_TABS, Category, Group, Priority, Status, TicketType
from caredesk.web.forms import COMPOSER_LABELS, AgentChoiceField, agent_choices, tag_names

STATUS_CHOICES = [("", "Keep the status"), *[(status, Status(status).label.capitalize())
                                            for status in lifecycle.STATUSES if status != lifecycle.NEW]]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class CannedResponseForm(forms.Form):
    name = forms.CharField(label="Name", max_length=100)
    tabs = forms.MultipleChoiceField(
        label="Offered in", widget=forms.CheckboxSelectMultiple,
        choices=[(tab, COMPOSER_LABELS[tab]) for tab in COMPOSER_TABS],
        error_messages={"required": "Choose at least one composer tab it is offered in."},
        help_text="Only these composer tabs offer it.")
    body = forms.CharField(label="Text", widget=forms.Textarea(attrs={"rows": 8}),
                           error_messages={"required": "A canned response needs its text."})
    fields = forms.CharField(label="Labelled lines", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="Optional: one label per line, for a structured response such as Call Notes.")
    active = forms.BooleanField(label="Offered to agents", required=False, initial=True)

    def values(self) -> dict:
        data = self.cleaned_data
        return {"name": data["name"], "tabs": data["tabs"], "body": data["body"], "fields": _lines(data["fields"]),
                "active": data["active"]}

    @staticmethod
    def initial_of(response) -> dict:
        return {"name": response.name, "tabs": response.tabs, "body": response.body,
                "fields": "\n".join(response.fields), "active": response.active}


class MacroForm(forms.Form):
    name = forms.CharField(label="Name", max_length=100)
    tab = forms.ChoiceField(label="Adds", required=False, choices=[
        ("", "No text"), (Macro.Tab.REPLY, "A public reply (sent by email)"), (Macro.Tab.NOTE, "An internal note")])
    body = forms.CharField(label="Text", required=False, widget=forms.Textarea(attrs={"rows": 6}))
    status = forms.ChoiceField(label="Set status", required=False, choices=STATUS_CHOICES)
    priority = forms.TypedChoiceField(label="Set priority", required=False, coerce=int, empty_value=None,
                                      choices=[("", "Keep the priority"),
                                               *[(p.value, p.label.capitalize()) for p in Priority]])
    ticket_type = forms.ModelChoiceField(label="Set type", required=False, empty_label="Keep the type",
                                         queryset=TicketType.objects.filter(active=True))
    category = forms.ModelChoiceField(label="Set category", required=False, empty_label="Keep the category",
                                      queryset=Category.objects.filter(active=True))
    group = forms.ModelChoiceField(label="Set group", required=False, empty_label="Keep the group",
                                   queryset=Group.objects.filter(active=True))
    assignee = AgentChoiceField(label="Assign to", required=False, empty_label="Keep the assignee",
                                queryset=agent_choices())
    add_tags = forms.CharField(label="Add tags", required=False, max_length=1000,
                               help_text="Separate tags with commas or spaces.")
    active = forms.BooleanField(label="Offered to agents", required=False, initial=True)

    def __init__(self, *args, macro: Macro | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("ticket_type", "category", "group"):  # a retired entry the macro still names stays offered
            current = getattr(macro, f"{name}_id", None)
            if current:
                model = self.fields[name].queryset.model
                self.fields[name].queryset = model.objects.filter(active=True) | model.objects.filter(pk=current)

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data["add_tags"] = tag_names(data["add_tags"])
        return data

    @staticmethod
    def initial_of(macro: Macro) -> dict:
        return {"name": macro.name, "tab": macro.tab, "body": macro.body, "status": macro.status,
                "priority": macro.priority, "ticket_type": macro.ticket_type_id, "category": macro.category_id,
                "group": macro.group_id, "assignee": macro.assignee_id, "add_tags": ", ".join(macro.add_tags),
                "active": macro.active}


class BulkForm(forms.Form):
    """The bulk bar of a view: the selected tickets and what to do to all of them."""

    tickets = forms.TypedMultipleChoiceField(coerce=int, error_messages={
        "required": "Select at least one ticket.", "invalid_choice": "Select tickets from the list."})
    assignee = forms.ChoiceField(label="Assign to", required=False)
    status = forms.ChoiceField(label="Set status", required=False, choices=STATUS_CHOICES)
    add_tags = forms.CharField(label="Add tags", required=False, max_length=1000)
    macro = forms.ModelChoiceField(label="Apply macro", required=False, empty_label="No macro",
                                   queryset=Macro.objects.filter(active=True))

    def __init__(self, *args, agents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", "Keep the assignee"), ("me", "Me"), ("none", "Unassigned"),
                                           *[(str(agent.pk), agent.display_name) for agent in agents]]
        selected = self.data.getlist("tickets") if hasattr(self.data, "getlist") else []
        self.fields["tickets"].choices = [(value, value) for value in selected if str(value).isdigit()]


class MergeForm(forms.Form):
    into = forms.IntegerField(label="Merge into ticket #", min_value=1, error_messages={
        "required": "Give the number of the ticket to keep.", "invalid": "Give a ticket number, e.g. 1042."})
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


class RedactForm(forms.Form):
    text = forms.CharField(label="Text to redact", max_length=2000, strip=True, error_messages={
        "required": "Give the text to take out, e.g. a card number as the customer wrote it."})
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


class GroupMembersForm(forms.Form):
    """A group's members, chosen among the active agents (a Team Supervisor's form on the Groups page; the
    agents are read once for every group's form)."""

    members = forms.MultipleChoiceField(required=False, widget=forms.SelectMultiple(attrs={"size": 8}),
                                        error_messages={"invalid_choice": "%(value)s is not an active agent; "
                                                                          "choose among the agents listed."})

    def __init__(self, *args, group, agents, **kwargs):
        super().__init__(*args, prefix=f"group-{group.pk}", **kwargs)
        self.agents = {str(agent.pk): agent for agent in agents}
        self.fields["members"].label = f"Members of {group.name}"
        self.fields["members"].choices = [(pk, agent.display_name) for pk, agent in self.agents.items()]

    def clean_members(self) -> list:
        return [self.agents[pk] for pk in self.cleaned_data["members"]]

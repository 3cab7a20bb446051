"""Forms of the agent workspace. They only clean input; writes go through the apps' actions, and the
errors actions raise (DomainError with a field) are put back beside the field with `show_domain_error`."""

from __future__ import annotations

from zoneinfo import available_timezones

from django import forms
from django.contrib.auth.models import Group as Role
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join

from caredesk.core import roles
from caredesk.core.errors import DomainError
from caredesk.core.models import Agent
from caredesk.customers.contact import display_phone
from caredesk.customers.models import Customer, Order
from caredesk.playbooks.spec import CHANNELS
from caredesk.tickets import lifecycle, use_cases
from caredesk.tickets.actions import NewAttachment
from caredesk.tickets.models import Category, Channel, Group, Interaction, Priority, Status, TicketType
from caredesk.web import queries


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several uploaded files; cleans to a list (empty when none)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def as_attachments(files) -> list[NewAttachment]:
    return [NewAttachment(filename=f.name, content_type=f.content_type or "", content=f.read()) for f in files or []]


def show_domain_error(form: forms.Form, error: DomainError, field_map: dict[str, str] | None = None) -> None:
    """Put an action's error beside the form field it names (`emails[0]` -> `emails`), else on top."""
    name = (error.field or "").split("[", 1)[0]
    name = (field_map or {}).get(name, name)
    form.add_error(name if name in form.fields else None, error.detail)


def time_zone_choices() -> list[tuple[str, str]]:
    """Every IANA time zone, sorted."""
    return [(zone, zone) for zone in sorted(available_timezones())]


def agent_choices():
    return Agent.objects.filter(is_active=True).order_by("first_name", "username")


class ListSelect(forms.Select):
    """A select that writes its options itself, the same HTML as Django's templates make, instead of rendering a
    template per option: the agent lists hold every active agent and the ticket page, and its live refresh after
    every change, draw one each time (200 agents: a quarter of the refresh's CPU). A list with option groups is
    left to Django."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        if any(group_name for group_name, _, _ in widget["optgroups"]):
            return super().render(name, value, attrs, renderer)
        options = format_html_join("", '\n  <option value="{}"{}>{}</option>', (
            (str(option["value"]), flatatt(option["attrs"]), option["label"])
            for _, group, _ in widget["optgroups"] for option in group))
        return format_html('<select name="{}"{}>{}\n</select>', widget["name"], flatatt(widget["attrs"]), options)


class AgentChoiceField(forms.ModelChoiceField):
    widget = ListSelect

    def label_from_instance(self, obj):
        return obj.display_name


# --- ticket properties, edited in place ------------------------------------------------------------

PROPERTY_FIELDS = ("status", "priority", "ticket_type", "category", "group", "assignee", "tags", "order")
PROPERTY_LABELS = {"ticket_type": "Type", "group": "Group", "assignee": "Assignee", "tags": "Tags",
                   "status": "Status", "priority": "Priority", "category": "Category", "order": "Linked order"}


class OrderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.external_reference} ({obj.status})" if obj.status else obj.external_reference


def property_form(name: str, ticket, data=None, agents=None) -> forms.Form:
    """A one-field form for the ticket property `name`, initialised from the ticket."""
    label = PROPERTY_LABELS[name]
    if name == "status":
        allowed = [ticket.status, *sorted(lifecycle.TRANSITIONS.get(ticket.status, ()),
                                          key=lifecycle.STATUSES.index)]
        field = forms.ChoiceField(label=label, choices=[(s, Status(s).label.capitalize()) for s in allowed])
        initial = ticket.status
    elif name == "priority":
        field = forms.TypedChoiceField(label=label, coerce=int,
                                       choices=[(p.value, p.label.capitalize()) for p in Priority])
        initial = ticket.priority
    elif name == "tags":
        field = forms.CharField(label=label, required=False, max_length=1000,
                                help_text="Separate tags with commas or spaces.")
        initial = ", ".join(tag.name for tag in ticket.tags.all())
    elif name == "assignee":
        field = AgentChoiceField(label=label, required=False, empty_label="Unassigned",
                                 queryset=agents if agents is not None else agent_choices())
        initial = ticket.assignee_id
    elif name == "order":  # the requester's orders: the follow-up's channels depend on the linked one
        field = OrderChoiceField(label=label, required=False, empty_label="No order linked",
                                 queryset=Order.objects.filter(customer_id=ticket.requester_id).order_by("-id"))
        initial = ticket.order_id
    else:
        model = {"ticket_type": TicketType, "category": Category, "group": Group}[name]
        current = getattr(ticket, f"{name}_id")
        field = forms.ModelChoiceField(
            label=label, required=False, empty_label="—",
            queryset=model.objects.filter(active=True) | model.objects.filter(pk=current),
        )
        initial = current
    form_class = type(f"{name.title()}PropertyForm", (forms.Form,), {name: field})
    return form_class(data=data, initial={name: initial}, prefix=f"prop-{name}")


def tag_names(text: str) -> list[str]:
    return [part for part in text.replace(",", " ").split() if part]


# --- the composer ---------------------------------------------------------------------------------

THEN_STATUS_CHOICES = [("", "Keep the status"), (lifecycle.OPEN, "Open"), (lifecycle.PENDING, "Pending"),
                       (lifecycle.ON_HOLD, "On hold"), (lifecycle.SOLVED, "Solved")]


class ComposerForm(forms.Form):
    """Every composer tab can set the status afterwards, in the same transaction (docs/workspace.md)."""

    tab = ""
    then_status = forms.ChoiceField(label="Then set status", choices=THEN_STATUS_CHOICES, required=False)


class ReplyForm(ComposerForm):
    tab = "reply"
    body = forms.CharField(label="Reply to the requester", widget=forms.Textarea(attrs={"rows": 6}),
                           help_text="Sent to the requester by email.")
    attachments = MultipleFileField(label="Attach supporting documents")


class NoteForm(ComposerForm):
    tab = "note"
    body = forms.CharField(label="Note for agents", widget=forms.Textarea(attrs={"rows": 6}),
                           help_text="Only agents see internal notes.")
    attachments = MultipleFileField(label="Attach supporting documents")


class CallForm(ComposerForm):
    """Log a call with the Call Notes of SOP 000; which calls need them is the use case's rule, shown here
    beside every missing line at once."""

    tab = "call"
    direction = forms.ChoiceField(label="Direction", choices=[("outbound", "Outbound (we called)"),
                                                              ("inbound", "Inbound (they called)")])
    call_outcome = forms.ChoiceField(
        label="Outcome",
        choices=[("", "Choose the outcome…"), *[(v, label.capitalize()) for v, label in Interaction.CallOutcome.choices]],
        error_messages={"required": "Choose how the call ended."},
    )
    caller_name = forms.CharField(label=use_cases.CALL_NOTES["caller_name"][0], max_length=200, required=False)
    call_type = forms.CharField(label=use_cases.CALL_NOTES["call_type"][0], max_length=100, required=False,
                                widget=forms.TextInput(attrs={"list": "call-type-suggestions"}))
    customer_type = forms.CharField(label=use_cases.CALL_NOTES["customer_type"][0], max_length=100,
                                    required=False)
    reason_for_call = forms.CharField(label=use_cases.CALL_NOTES["reason_for_call"][0], required=False,
                                      widget=forms.Textarea(attrs={"rows": 2}))
    actions_taken = forms.CharField(label=use_cases.CALL_NOTES["actions_taken"][0], required=False,
                                    widget=forms.Textarea(attrs={"rows": 3}))
    body = forms.CharField(label="Other notes", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def call_notes(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(key, "") for key in use_cases.CALL_NOTES}

    def clean(self):
        data = super().clean()
        if data.get("direction") and data.get("call_outcome"):
            for key in use_cases.missing_call_notes(self.call_notes(), direction=data["direction"],
                                                    outcome=data["call_outcome"]):
                self.add_error(key, use_cases.CALL_NOTES[key][1])
        return data


class TextForm(ComposerForm):
    tab = "text"
    direction = forms.ChoiceField(label="Direction", choices=[("outbound", "Sent to the customer"),
                                                              ("inbound", "Received from the customer")])
    body = forms.CharField(label="Text message", max_length=1600, widget=forms.Textarea(attrs={"rows": 4}))


COMPOSER_FORMS = {form.tab: form for form in (ReplyForm, NoteForm, CallForm, TextForm)}
COMPOSER_LABELS = {"reply": "Public reply", "note": "Internal note", "call": "Log a call", "text": "Log a text"}


class SupportingDocumentsForm(forms.Form):
    documents = MultipleFileField(label="Add supporting documents", required=True)


# --- new ticket -----------------------------------------------------------------------------------


class NewTicketForm(forms.Form):
    """A ticket for a caller or walk-in: an existing customer (found by name, email or phone) or a new one."""

    customer = forms.IntegerField(required=False, widget=forms.HiddenInput)
    new_name = forms.CharField(label="Name", max_length=200, required=False)
    new_email = forms.CharField(label="Email", max_length=254, required=False,
                                widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    new_phone = forms.CharField(label="Phone", max_length=40, required=False,
                                widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}))
    subject = forms.CharField(label="Subject", max_length=250,
                              error_messages={"required": "A ticket needs a subject."})
    description = forms.CharField(label="Description", widget=forms.Textarea(attrs={"rows": 6}),
                                  error_messages={"required": "Describe what the customer needs."})
    documents = MultipleFileField(label="Supporting documents")
    channel = forms.ChoiceField(label="Came in by", initial=Channel.PHONE, choices=[
        (Channel.PHONE, "Phone call"), (Channel.WEB, "Walk-in or web"), (Channel.EMAIL, "Email"),
        (Channel.SMS, "Text message"), (Channel.CHAT, "Chat"),
    ])
    ticket_type = forms.ModelChoiceField(label="Type", queryset=TicketType.objects.filter(active=True),
                                         required=False, empty_label="—")
    category = forms.ModelChoiceField(label="Category", queryset=Category.objects.filter(active=True),
                                      required=False, empty_label="—")
    priority = forms.TypedChoiceField(label="Priority", coerce=int, initial=Priority.MEDIUM,
                                      choices=[(p.value, p.label.capitalize()) for p in Priority])
    group = forms.ModelChoiceField(label="Group", queryset=Group.objects.filter(active=True), required=False,
                                   empty_label="—")
    assignee = AgentChoiceField(label="Assignee", queryset=Agent.objects.none(), required=False,
                                empty_label="Unassigned")
    tags = forms.CharField(label="Tags", required=False, max_length=1000,
                           help_text="Separate tags with commas or spaces.")
    order = forms.CharField(label="Linked order", required=False, max_length=100,
                            widget=forms.TextInput(attrs={"list": "order-suggestions", "autocomplete": "off"}),
                            help_text="The reference of one of the customer's orders (suggested once they are chosen).")

    def __init__(self, *args, may_create_customer: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.may_create_customer = may_create_customer
        self.fields["assignee"].queryset = agent_choices()

    def clean(self):
        data = super().clean()
        if data.get("customer"):
            return data
        # What a new requester needs (a name, an email or a phone: SOP 004) is the use case's rule.
        if not any(data.get(name, "").strip() for name in ("new_name", "new_email", "new_phone")):
            self.add_error("new_name", "Find the customer above, or enter a new customer's name.")
        elif not self.may_create_customer:
            self.add_error("new_name", "Your role cannot create customers; find an existing one above.")
        return data


# --- views ----------------------------------------------------------------------------------------


class ViewFilterForm(forms.Form):
    """The filter bar of the Views page (GET). Cleaning is lenient: parse_filters does the real work."""

    status = forms.ChoiceField(label="Status", choices=queries.STATUS_CHOICES, required=False)
    type = forms.ChoiceField(label="Type", required=False)
    group = forms.ChoiceField(label="Group", required=False)
    category = forms.ChoiceField(label="Category", required=False)
    assignee = forms.ChoiceField(label="Assignee", required=False)
    priority = forms.ChoiceField(label="Priority", required=False,
                                 choices=[("", "Any priority"), *[(p.value, p.label.capitalize()) for p in Priority]])
    tag = forms.CharField(label="Tag", required=False, max_length=64)
    age = forms.ChoiceField(label="Age", choices=queries.AGE_CHOICES, required=False)
    review = forms.ChoiceField(label="Review", choices=queries.REVIEW_CHOICES, required=False)
    breach = forms.ChoiceField(label="SLA", choices=queries.BREACH_CHOICES, required=False)
    sort = forms.ChoiceField(label="Sort by", required=False,
                             choices=[(key, label) for key, (_, label) in queries.SORTS.items()])
    dir = forms.ChoiceField(label="Order", required=False, choices=[("desc", "Newest / highest first"),
                                                                   ("asc", "Oldest / lowest first")])
    size = forms.ChoiceField(label="Per page", required=False, choices=[(n, n) for n in queries.PAGE_SIZES])

    def __init__(self, *args, lookups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", "Any type"), *[(t.pk, t.name) for t in lookups["types"]]]
        self.fields["group"].choices = [("", "Any group"), (queries.MY_GROUPS, "My groups"),
                                        *[(g.pk, g.name) for g in lookups["groups"]]]
        self.fields["category"].choices = [("", "Any category"), *[(c.pk, c.name) for c in lookups["categories"]]]
        self.fields["assignee"].choices = [("", "Anyone"), ("me", "Me"), ("none", "Unassigned"),
                                           *[(a.pk, a.display_name) for a in lookups["agents"]]]


class SaveViewForm(forms.Form):
    name = forms.CharField(label="View name", max_length=80)
    shared_with = forms.ModelChoiceField(label="Share with", queryset=Role.objects.none(), required=False,
                                         empty_label="Only me")

    def __init__(self, *args, agent, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shared_with"].queryset = agent.groups.all().order_by("name")
        self.fields["shared_with"].label_from_instance = lambda role: f"Everyone in {role.name}"


# --- customers ------------------------------------------------------------------------------------


class ContactPointForm(forms.Form):
    email = forms.CharField(label="Add an email", max_length=254, required=False,
                            widget=forms.EmailInput())
    phone = forms.CharField(label="Add a phone", max_length=40, required=False,
                            widget=forms.TextInput(attrs={"type": "tel"}))

    def clean(self):
        data = super().clean()
        if not (data.get("email") or data.get("phone")):
            self.add_error("email", "Give an email address or a phone number.")
        return data


MANAGE_CUSTOMERS = roles.MANAGE_CUSTOMERS

IMPORTANCE_LABELS = dict(Customer.Importance.choices)
PREFERRED_CHANNEL_LABELS = dict(Customer.PreferredChannel.choices)


class EntryChoiceField(forms.ChoiceField):
    """A choice among entries of a configured list (customer types, industries) loaded once by the view,
    so that a page with many forms queries the list once. Cleans to the entry, or None for the empty choice."""

    def __init__(self, *, entries=(), empty_label: str = "—", **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("error_messages",
                          {"invalid_choice": "Choose one from the list: that one is retired or unknown."})
        super().__init__(**kwargs)
        self.empty_label = empty_label
        self.entries = entries

    @property
    def entries(self):
        return self._entries

    @entries.setter
    def entries(self, entries):
        self._entries = {str(entry.pk): entry for entry in entries}
        self.choices = [("", self.empty_label), *[(pk, entry.name) for pk, entry in self._entries.items()]]

    def clean(self, value):
        return self._entries.get(str(super().clean(value)))

    def prepare_value(self, value):
        return getattr(value, "pk", value)

    def has_changed(self, initial, data) -> bool:
        return str(self.prepare_value(initial) or "") != str(data or "")


def changed_values(form: forms.Form) -> dict:
    """The cleaned values of the fields the agent changed, for an action's `**changes`: an unchanged
    retired entry (customer type, industry) is passed on as it is instead of being refused."""
    return {name: form.cleaned_data[name] for name in form.changed_data}


def offered_entries(entries, current=None) -> list:
    """The active entries of a configured list, and the current one even when retired."""
    current_pk = getattr(current, "pk", current)
    return [entry for entry in entries if entry.active or entry.pk == current_pk]


class CustomerDetailsForm(forms.Form):
    """A customer's name, customer type, importance and preferred channel, initialised from the customer."""

    name = forms.CharField(label="Name", max_length=200, error_messages={"required": "A customer needs a name."})
    customer_type = EntryChoiceField(label="Customer type", empty_label="No customer type")
    importance = forms.ChoiceField(label="Importance", choices=list(IMPORTANCE_LABELS.items()))
    preferred_channel = forms.ChoiceField(label="Preferred channel", required=False,
                                          choices=[("", "No preference"), *PREFERRED_CHANNEL_LABELS.items()])

    def __init__(self, *args, customer, customer_types, **kwargs):
        kwargs.setdefault("prefix", "details")
        kwargs["initial"] = {"name": customer.name, "customer_type": customer.customer_type_id,
                             "importance": customer.importance, "preferred_channel": customer.preferred_channel}
        super().__init__(*args, **kwargs)
        self.fields["customer_type"].entries = offered_entries(customer_types, customer.customer_type_id)


class NewOrderForm(forms.Form):
    external_reference = forms.CharField(label="External reference", max_length=100,
                                         error_messages={"required": "An order needs its external reference."})
    industry = EntryChoiceField(label="Industry")
    status = forms.CharField(label="Status", max_length=100, required=False)

    def __init__(self, *args, industries, **kwargs):
        kwargs.setdefault("prefix", "new-order")
        super().__init__(*args, **kwargs)
        self.fields["industry"].entries = offered_entries(industries)


class OrderForm(forms.Form):
    """An order's industry and status, edited in its row of the orders table; the inputs belong to the
    row's form through their `form` attribute."""

    industry = EntryChoiceField(label="Industry")
    status = forms.CharField(label="Status", max_length=100, required=False)

    def __init__(self, *args, order, industries, **kwargs):
        kwargs.setdefault("prefix", f"order-{order.pk}")
        kwargs["initial"] = {"industry": order.industry_id, "status": order.status}
        super().__init__(*args, **kwargs)
        self.order = order
        self.form_id = f"order-{order.pk}-form"
        self.fields["industry"].entries = offered_entries(industries, order.industry_id)
        for name, field in self.fields.items():
            field.label = f"{field.label} of {order.external_reference}"
            field.widget.attrs["form"] = self.form_id


# --- follow-ups -----------------------------------------------------------------------------------

CHANNEL_VERBS = {"email": "Email", "call": "Call", "text": "Text"}


def channel_choice(entry: dict) -> tuple[str, str]:
    """("call", "Call +1 415-555-0132") for one planned channel of an attempt."""
    destinations = [value if "@" in value else display_phone(value) for value in entry.get("to") or []]
    label = CHANNEL_VERBS.get(entry["channel"], entry["channel"])
    return entry["channel"], f"{label} {', '.join(destinations)}" if destinations else label


class TaskCompletionForm(forms.Form):
    """An attempt as the agent made it: the channels actually tried (the planned ones as a checklist, or
    every channel when none could be planned) and whether the customer was reached."""

    channels_tried = forms.MultipleChoiceField(label="Channels tried", required=False,
                                               widget=forms.CheckboxSelectMultiple)
    reached = forms.TypedChoiceField(label="Customer reached", choices=[("no", "No"), ("yes", "Yes")],
                                     coerce=lambda value: value == "yes", initial="no", widget=forms.RadioSelect)

    def __init__(self, *args, task, **kwargs):
        kwargs.setdefault("prefix", f"task-{task.pk}")
        super().__init__(*args, **kwargs)
        self.task = task
        planned = task.channels or [{"channel": channel} for channel in CHANNELS]
        self.fields["channels_tried"].choices = [channel_choice(entry) for entry in planned]
        self.fields["channels_tried"].initial = list(task.channels_tried)  # ticked by a reply sent meanwhile


class ClearReviewFlagForm(forms.Form):
    reason = forms.CharField(label="Why no additional review is needed", max_length=2000, widget=forms.Textarea(
        attrs={"rows": 2}), error_messages={"required": "Say why the ticket needs no additional review for this."})

    def __init__(self, *args, flag, **kwargs):
        kwargs.setdefault("prefix", f"review-{flag.pk}")
        super().__init__(*args, **kwargs)
        self.flag = flag


class StopFollowUpForm(forms.Form):
    reason = forms.CharField(label="Reason", max_length=500,
                             error_messages={"required": "Say why the follow-up stops."})

    def __init__(self, *args, run, **kwargs):
        kwargs.setdefault("prefix", f"run-{run.pk}")
        super().__init__(*args, **kwargs)
        self.run = run


# --- reports --------------------------------------------------------------------------------------


class ComplianceFilterForm(forms.Form):
    """The filters of the compliance report (GET); empty dates mean the last seven days."""

    since = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    timezone = forms.ChoiceField(label="Time zone", required=False)
    playbook = forms.ChoiceField(label="Playbook", required=False)
    agent = forms.ChoiceField(label="Agent", required=False)

    def __init__(self, *args, playbooks, agents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = time_zone_choices()
        self.fields["playbook"].choices = [("", "All playbooks"), *[(p.name, p.title) for p in playbooks]]
        self.fields["agent"].choices = [("", "All agents"), *[(a.username, a.display_name) for a in agents]]

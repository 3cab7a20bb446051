"""The ticket page's Resolution and Feedback panels: their forms and context (SOP 004 "Problem Resolution",
"Follow-up and Closure", "Share Feedback Internally")."""

from __future__ import annotations

from django import forms
from django.db.models import Max

from caredesk.knowledge.models import Article
from caredesk.resolutions import rules
from caredesk.resolutions.actions import default_confirmation
from caredesk.resolutions.models import Feedback, FeedbackTeam, ResolutionCode, RootCause
from caredesk.resolutions.queries import current_resolution, entries_for, rule_for
from caredesk.core.events import shortened
from caredesk.tickets.models import Interaction, Ticket

# The actions name `reference` (a knowledge-base article or reference, or a linked ticket); the form shows it beside
# the first.
FIELD_MAP = {"reference": "article", "confirmation": "confirmation"}
NOTES_OFFERED = 20  # the ticket's latest internal notes the Feedback panel offers to share


def _choices(model, ticket: Ticket) -> list[tuple[str, str]]:
    return [("", "Choose…"), *entries_for(model, ticket.ticket_type_id).values_list("key", "name")]


class SolveForm(forms.Form):
    """Solve with the resolution; which fields are required is the ticket type's resolution rule."""

    root_cause = forms.ChoiceField(label="Root cause", required=False)
    resolution_code = forms.ChoiceField(label="Resolution code", required=False)
    summary = forms.CharField(label="Resolution summary", required=False, max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 3}))
    article = forms.IntegerField(label="Knowledge-base article (#)", required=False, min_value=1,
                                 max_value=2**63 - 1, widget=forms.NumberInput(attrs={"list": "articles-used"}),
                                 help_text="Its number in the knowledge base; the articles this ticket's replies "
                                           "used are offered.")
    knowledge_base_reference = forms.CharField(label="Or another article (address or reference)", required=False,
                                               max_length=500)
    linked_ticket = forms.IntegerField(label="Or the linked ticket it reuses (#)", required=False, min_value=1,
                                       max_value=2**63 - 1)
    confirmation = forms.ChoiceField(label="Confirm with the customer", required=False, widget=forms.RadioSelect,
                                     choices=list(rules.CONFIRMATION_CHOICES.items()))
    confirmed_by = forms.ChoiceField(label="How they confirmed", required=False,
                                     choices=[("", "—"), *rules.CONFIRMED_BY.items()])

    def __init__(self, *args, ticket: Ticket, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["root_cause"].choices = _choices(RootCause, ticket)
        self.fields["resolution_code"].choices = _choices(ResolutionCode, ticket)
        rule = rule_for(ticket)
        for name in ("root_cause", "resolution_code", "summary"):
            if name in rule.required_fields:
                self.fields[name].required = True
                self.fields[name].error_messages["required"] = rules.REQUIRABLE_FIELDS[name]
        if "reference" in rule.required_fields:
            self.fields["article"].help_text = "An article, another reference or a linked ticket is required."
        if not rule.confirmation_required:
            del self.fields["confirmation"], self.fields["confirmed_by"]
        else:
            self.initial.setdefault("confirmation", default_confirmation(ticket.requester))
            if ticket.requester.preferred_channel == "phone":
                self.fields["confirmation"].help_text = ("They prefer the phone: call them, then record that they "
                                                         "confirmed.")


class ConfirmationForm(forms.Form):
    confirmed_by = forms.ChoiceField(label="How the customer confirmed", choices=list(rules.CONFIRMED_BY.items()))
    note = forms.CharField(label="Note", required=False, max_length=4000)


class FeedbackForm(forms.Form):
    """A new internal note, or one of the ticket's notes not shared yet, as feedback for a team."""

    team = forms.ChoiceField(label="Feedback for")
    note = forms.TypedChoiceField(label="An internal note of the ticket", required=False, coerce=int,
                                  empty_value=None)
    body = forms.CharField(label="Or new feedback (an internal note)", required=False, max_length=100_000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, ticket: Ticket, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", "Choose a team…"),
                                       *FeedbackTeam.objects.filter(active=True).values_list("key", "name")]
        self.fields["team"].error_messages["required"] = "Choose the team the feedback is for."
        notes = (ticket.interactions.filter(kind=Interaction.Kind.NOTE, feedback__isnull=True)
                 .order_by("-occurred_at", "-id").values_list("pk", "body")[:NOTES_OFFERED])
        self.fields["note"].choices = [("", "A new note…"), *((pk, shortened(body, 80)) for pk, body in notes)]


def articles_used(ticket: Ticket) -> list[Article]:
    """The published articles this ticket's sent replies used, most recent use first: the solution they reuse."""
    return list(Article.objects.filter(uses__ticket=ticket, status=Article.Status.PUBLISHED)
                .annotate(last_used=Max("uses__at")).order_by("-last_used", "-id").only("pk", "title"))


def resolution_context(ticket: Ticket, *, solve_form=None, confirmation_form=None) -> dict:
    """The Resolution panel's context (web/partials/resolution.html)."""
    return {
        "ticket": ticket,
        "resolution": current_resolution(ticket),
        "solve_form": solve_form or SolveForm(ticket=ticket),
        "confirmation_form": confirmation_form or ConfirmationForm(),
        "articles_used": articles_used(ticket),
    }


def feedback_context(ticket: Ticket, *, feedback_form=None) -> dict:
    """The Feedback panel's context (web/partials/feedback_panel.html)."""
    return {
        "ticket": ticket,
        "feedback_form": feedback_form or FeedbackForm(ticket=ticket),
        "ticket_feedback": list(Feedback.objects.filter(ticket=ticket).select_related("team", "note", "shared_by")),
    }

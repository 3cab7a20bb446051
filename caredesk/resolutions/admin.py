from django import forms
from django.contrib import admin

from caredesk.core.admin import AuditedAdmin
from caredesk.core.admin import ReadOnlyAdmin
from caredesk.customers.admin import ConfigurableEntryAdmin
from caredesk.resolutions import rules
from caredesk.resolutions.models import (
    Feedback, FeedbackTeam, PlaybookOutcome, Resolution, ResolutionCode, ResolutionRule, RootCause,
)

admin.site.register(FeedbackTeam, ConfigurableEntryAdmin)  # the teams feedback goes to: the team edits them


@admin.register(RootCause, ResolutionCode)
class TypedEntryAdmin(ConfigurableEntryAdmin):
    """Root causes and resolution codes, each offered on every ticket type or only on the types chosen."""

    filter_horizontal = ("ticket_types",)


class ResolutionRuleForm(forms.ModelForm):
    class Meta:
        model = ResolutionRule
        fields = ("ticket_type", "required_fields", "confirmation_required")

    def clean_required_fields(self):
        value = self.cleaned_data["required_fields"]
        if not isinstance(value, list) or rules.unknown_fields(str(name) for name in value):
            raise forms.ValidationError(f"A list of some of: {', '.join(rules.REQUIRABLE_FIELDS)}.")
        return value


@admin.register(ResolutionRule)
class ResolutionRuleAdmin(AuditedAdmin):
    """Which resolution fields agents must give, and whether the ticket waits for the customer's confirmation."""

    form = ResolutionRuleForm
    list_display = ("__str__", "required_fields", "confirmation_required")


@admin.register(PlaybookOutcome)
class PlaybookOutcomeAdmin(AuditedAdmin):
    list_display = ("playbook", "root_cause", "resolution_code")


@admin.register(Resolution)
class ResolutionAdmin(ReadOnlyAdmin):
    """Resolutions change only through caredesk.resolutions.actions; the admin shows them."""

    list_display = ("ticket", "root_cause", "resolution_code", "recorded_by", "recorded_at", "current",
                    "confirmation")
    list_filter = ("root_cause", "resolution_code", "confirmation", "current")
    search_fields = ("summary", "ticket__id")


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "team", "shared_by", "shared_at")
    list_filter = ("team",)

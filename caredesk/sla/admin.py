"""The team's priority and SLA configuration: impact and urgency lists, the matrix, what raises priority,
contract tiers, SOP 004's category tags, and SLA policies with their targets. Saving a policy or a target
marks the open clocks for the sweep to recompute (caredesk.sla.receivers). Tickets' clocks and assessments
change only through caredesk.sla.actions; the admin shows them."""

from django import forms
from django.contrib import admin

from caredesk.core.admin import AuditedAdmin
from caredesk.core.admin import ReadOnlyAdmin
from caredesk.customers.admin import ConfigurableEntryAdmin
from caredesk.customers.models import Customer
from caredesk.sla.models import (
    CategoryTags, ContractTier, Impact, ImportanceRule, PriorityMatrixCell, SlaPolicy, SlaTarget, SlaTargetSpec,
    TicketPriority, TicketSla, Urgency,
)
from caredesk.tickets.models import Priority, Status

admin.site.register(Impact, ConfigurableEntryAdmin)
admin.site.register(Urgency, ConfigurableEntryAdmin)


@admin.register(ContractTier)
class ContractTierAdmin(ConfigurableEntryAdmin):
    list_display = ("name", "key", "raises_priority", "active", "position")
    list_editable = ("raises_priority", "active", "position")


@admin.register(PriorityMatrixCell)
class PriorityMatrixCellAdmin(AuditedAdmin):
    list_display = ("impact", "urgency", "priority")
    list_editable = ("priority",)
    list_filter = ("impact", "urgency")


@admin.register(ImportanceRule)
class ImportanceRuleAdmin(AuditedAdmin):
    list_display = ("importance", "raises_priority")
    list_editable = ("raises_priority",)


@admin.register(CategoryTags)
class CategoryTagsAdmin(AuditedAdmin):
    list_display = ("category", "tags")
    list_editable = ("tags",)


class TargetForm(forms.ModelForm):
    pausing_statuses = forms.MultipleChoiceField(
        choices=Status.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text="The ticket statuses that stop this clock (pending waits on the customer, on hold on a third party).")

    class Meta:
        model = SlaTargetSpec
        fields = ("metric", "business_minutes", "pausing_statuses", "warn_minutes_before", "warn_at_percent")


class TargetInline(admin.TabularInline):
    model = SlaTargetSpec
    form = TargetForm
    extra = 0


class PolicyForm(forms.ModelForm):
    priorities = forms.TypedMultipleChoiceField(choices=Priority.choices, coerce=int, required=False,
                                                widget=forms.CheckboxSelectMultiple, help_text="None: any priority.")
    importances = forms.MultipleChoiceField(choices=Customer.Importance.choices, required=False,
                                            widget=forms.CheckboxSelectMultiple, help_text="None: any customer.")

    class Meta:
        model = SlaPolicy
        fields = ("name", "key", "description", "position", "active", "calendar", "priorities", "importances",
                  "ticket_types", "groups", "industries", "warn_group")


@admin.register(SlaPolicy)
class SlaPolicyAdmin(AuditedAdmin):
    form = PolicyForm
    list_display = ("name", "key", "position", "active", "calendar")
    list_editable = ("position", "active")
    prepopulated_fields = {"key": ("name",)}
    filter_horizontal = ("ticket_types", "groups", "industries")
    inlines = [TargetInline]


@admin.register(TicketSla)
class TicketSlaAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "policy", "next_breach_at", "next_due_at", "stale")
    list_filter = ("policy", "stale")


@admin.register(SlaTarget)
class SlaTargetAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "metric", "cycle", "state", "due_at", "warned_at", "breached_at", "ended_at")
    list_filter = ("metric", "state")


@admin.register(TicketPriority)
class TicketPriorityAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "impact", "urgency", "override", "explanation")

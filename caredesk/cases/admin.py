from django.contrib import admin

from caredesk.cases.models import Case, PrimaryReason
from caredesk.core.admin import ReadOnlyAdmin
from caredesk.customers.admin import ConfigurableEntryAdmin


admin.site.register(PrimaryReason, ConfigurableEntryAdmin)  # SOP 003's primary reasons: the team edits them


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    """Cases change only through caredesk.cases.actions; the admin shows them."""

    list_display = ("id", "ticket", "status", "closed_reason", "assignee", "assignment", "created_at")
    list_filter = ("status", "closed_reason", "assignment")
    search_fields = ("ticket__id",)

from django.contrib import admin

from caredesk.core.admin import ReadOnlyAdmin
from caredesk.escalations.models import Escalation


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdmin):
    """Escalations change only through caredesk.escalations.actions; the admin shows them."""

    list_display = ("id", "ticket", "status", "rung", "requested_by", "requested_at", "next_due_at")
    list_filter = ("status",)
    search_fields = ("ticket__id",)

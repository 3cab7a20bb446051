"""Configuration only: lists and canned responses. Tickets are worked in the agent workspace."""

from django.contrib import admin

from caredesk.customers.admin import ConfigurableEntryAdmin
from caredesk.tickets.models import CannedResponse, Category, Group, TicketType

admin.site.register([TicketType, Category, Group], ConfigurableEntryAdmin)


@admin.register(CannedResponse)
class CannedResponseAdmin(admin.ModelAdmin):
    list_display = ("name", "tabs", "active")
    list_filter = ("active",)
    search_fields = ("name", "body")

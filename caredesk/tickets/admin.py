"""Configuration only: the lists. Tickets are worked in the agent workspace; canned responses are edited
there too (Responses), and shown here by caredesk.desk.admin."""

from django.contrib import admin

from caredesk.customers.admin import ConfigurableEntryAdmin
from caredesk.tickets.models import Category, Group, TicketType

admin.site.register([TicketType, Category, Group], ConfigurableEntryAdmin)

from django.contrib import admin

from caredesk.core.admin import AuditedAdmin

from caredesk.customers.models import CustomerType, Industry


@admin.register(CustomerType, Industry)
class ConfigurableEntryAdmin(AuditedAdmin):
    list_display = ("name", "key", "active", "position")
    list_editable = ("active", "position")
    prepopulated_fields = {"key": ("name",)}
    search_fields = ("name", "key")

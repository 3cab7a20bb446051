from django.contrib import admin

from caredesk.customers.models import CustomerType, Industry


@admin.register(CustomerType, Industry)
class ConfigurableEntryAdmin(admin.ModelAdmin):
    list_display = ("name", "key", "active", "position")
    list_editable = ("active", "position")
    prepopulated_fields = {"key": ("name",)}
    search_fields = ("name", "key")

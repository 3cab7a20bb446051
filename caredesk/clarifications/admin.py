from django.contrib import admin

from caredesk.core.admin import ReadOnlyAdmin
from caredesk.clarifications.models import Clarification, SubCategory
from caredesk.customers.admin import ConfigurableEntryAdmin


@admin.register(SubCategory)
class SubCategoryAdmin(ConfigurableEntryAdmin):
    """The sub-categories of SOP 000's two categories: the team edits them."""

    list_display = ("name", "category", "key", "active", "position")
    list_filter = ("category",)


@admin.register(Clarification)
class ClarificationAdmin(ReadOnlyAdmin):
    list_display = ("id", "ticket", "agent", "category", "sub_category", "created_at")
    list_filter = ("category",)

from django.contrib import admin

from caredesk.core.admin import ReadOnlyAdmin
from caredesk.customers.admin import ConfigurableEntryAdmin
from caredesk.knowledge.models import Article, ArticleCategory


@admin.register(ArticleCategory)
class ArticleCategoryAdmin(ConfigurableEntryAdmin):
    """The knowledge base's categories, and whether an unhelpful vote on their articles opens a ticket."""

    list_display = (*ConfigurableEntryAdmin.list_display, "unhelpful_vote_opens_ticket")


@admin.register(Article)
class ArticleAdmin(ReadOnlyAdmin):
    """Articles change only through caredesk.knowledge.actions (the workspace's Knowledge page); the admin shows
    them."""

    list_display = ("title", "category", "visibility", "status", "version", "updated_at")
    list_filter = ("status", "visibility", "category")
    search_fields = ("title",)

from django.contrib import admin

from caredesk.core.admin import ReadOnlyAdmin
from caredesk.review.models import ReviewFlag


@admin.register(ReviewFlag)
class ReviewFlagAdmin(ReadOnlyAdmin):
    """Flags change through caredesk.review.actions, with their audit events."""

    list_display = ("ticket", "qualifier_name", "raised_at", "cleared_at", "cleared_by")
    list_filter = ("qualifier",)

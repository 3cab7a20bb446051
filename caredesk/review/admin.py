from django.contrib import admin

from caredesk.review.models import ReviewFlag


@admin.register(ReviewFlag)
class ReviewFlagAdmin(admin.ModelAdmin):
    """Read-only: flags change through caredesk.review.actions, with their audit events."""

    list_display = ("ticket", "qualifier_name", "raised_at", "cleared_at", "cleared_by")
    list_filter = ("qualifier",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

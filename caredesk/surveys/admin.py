from django.contrib import admin

from caredesk.core.admin import AuditedAdmin
from caredesk.core.admin import ReadOnlyAdmin
from caredesk.customers.admin import ConfigurableEntryAdmin
from caredesk.surveys.models import BadRatingReason, NpsSurvey, RatingReview, Survey, SurveyPolicy

admin.site.register(BadRatingReason, ConfigurableEntryAdmin)  # the reasons a bad rating offers: the team edits them


@admin.register(SurveyPolicy)
class SurveyPolicyAdmin(AuditedAdmin):
    """The team's survey choices: delay, link lifetime, exclusions, bad-rating reviews, NPS period."""

    list_display = ("key", "delay_hours", "link_days", "review_bad_ratings", "nps_enabled", "nps_period_days")


@admin.register(Survey)
class SurveyAdmin(ReadOnlyAdmin):
    """Surveys change only through caredesk.surveys.actions; the admin shows them."""

    list_display = ("id", "ticket", "status", "next_due_at", "sent_at", "rating", "rated_at")
    list_filter = ("status", "rating")
    search_fields = ("ticket__id",)


@admin.register(NpsSurvey)
class NpsSurveyAdmin(ReadOnlyAdmin):
    list_display = ("id", "customer", "ticket", "sent_at", "score", "answered_at")


@admin.register(RatingReview)
class RatingReviewAdmin(ReadOnlyAdmin):
    list_display = ("id", "survey", "status", "created_at", "done_by")
    list_filter = ("status",)

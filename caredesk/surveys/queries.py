"""Reads of surveys for the API, the workspace and the reports."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import QuerySet

from caredesk.core import clock
from caredesk.surveys.models import NpsSurvey, RatingReview, Survey


def surveys() -> QuerySet[Survey]:
    return Survey.objects.select_related("reason", "review")


def ticket_survey(ticket_id: int) -> Survey | None:
    return surveys().filter(ticket_id=ticket_id).first()


def detractors(*, days: int) -> QuerySet[NpsSurvey]:
    since = clock.now() - timedelta(days=days)
    return (NpsSurvey.objects.filter(score__lte=6, answered_at__gte=since).select_related("customer")
            .order_by("-answered_at", "-id"))


def reviews(*, open_only: bool) -> QuerySet[RatingReview]:
    found = RatingReview.objects.select_related("survey__reason", "survey__ticket")
    return found.filter(status=RatingReview.Status.OPEN) if open_only else found

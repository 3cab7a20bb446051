"""The ticket page's "additional review" banner and the view filter "needs additional review"."""

from __future__ import annotations

import pytest

from caredesk.review.models import ReviewFlag
from tests.integration.helpers import events_of

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def flagged(make_ticket):
    return make_ticket(subject="Complaint", description="I have contacted a lawyer and the BBB.")


def test_the_ticket_page_shows_the_banner_with_the_qualifiers_and_words(signed_in, flagged, make_ticket):
    page = signed_in.get(f"/tickets/{flagged.pk}/").content.decode()
    assert "Additional review needed" in page
    assert "Retained or contacted a lawyer or legal counsel" in page and "“lawyer”" in page
    assert "Better Business Bureau complaint" in page and "“BBB”" in page
    ordinary = signed_in.get(f"/tickets/{make_ticket().pk}/").content.decode()
    assert "Additional review needed" not in ordinary


def test_clearing_needs_a_reason_and_answers_the_banner(signed_in, flagged, agent):
    flag = ReviewFlag.objects.get(ticket=flagged, qualifier="legal_counsel")
    url = f"/tickets/{flagged.pk}/review/{flag.pk}/clear/"
    refused = signed_in.post(url, {f"review-{flag.pk}-reason": ""}, **HTMX)
    assert refused.status_code == 200
    assert "Say why the ticket needs no additional review for this." in refused.content.decode()
    assert ReviewFlag.objects.get(pk=flag.pk).cleared_at is None

    answer = signed_in.post(url, {f"review-{flag.pk}-reason": "Her lawyer handles her mortgage."}, **HTMX)
    body = answer.content.decode()
    assert "Cleared “Retained or contacted a lawyer or legal counsel”." in body
    assert 'data-qualifier="legal_counsel"' not in body and 'data-qualifier="better_business_bureau"' in body
    assert answer["HX-Trigger"] == '{"ticketChanged": {"source": "review"}}'
    cleared = ReviewFlag.objects.get(pk=flag.pk)
    assert (cleared.cleared_by, cleared.clear_reason) == (agent, "Her lawyer handles her mortgage.")
    assert events_of(flagged, action="review.flag_cleared")[0].actor == agent

    again = signed_in.post(url, {f"review-{flag.pk}-reason": "Twice"}, **HTMX)  # another tab
    assert "was already cleared" in again.content.decode()
    timeline = signed_in.get(f"/tickets/{flagged.pk}/timeline/").content.decode()
    assert "cleared the flag additional review: Retained or contacted a lawyer or legal counsel" in timeline


def test_clearing_without_htmx_redirects_and_another_tickets_flag_is_not_found(signed_in, flagged, make_ticket):
    flag = ReviewFlag.objects.get(ticket=flagged, qualifier="legal_counsel")
    response = signed_in.post(f"/tickets/{flagged.pk}/review/{flag.pk}/clear/", {f"review-{flag.pk}-reason": "ok"})
    assert response.status_code == 302 and response["Location"] == f"/tickets/{flagged.pk}/"
    other = make_ticket()
    assert signed_in.post(f"/tickets/{other.pk}/review/{flag.pk}/clear/", {}).status_code == 404


def test_the_view_filter_finds_the_tickets_that_need_review(signed_in, flagged, make_ticket):
    ordinary = make_ticket(subject="Passport photo")
    listed = signed_in.get("/views/?review=needed").content.decode()
    assert f"/tickets/{flagged.pk}/" in listed and f"/tickets/{ordinary.pk}/" not in listed
    assert "Needs additional review" in signed_in.get("/views/").content.decode()  # the built-in view

"""The demo's irate ticket (SOPs 002/003: a lawyer and a Better Business Bureau complaint) shows the flag."""

from __future__ import annotations

import pytest

from caredesk.review.models import ReviewFlag
from caredesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_the_demos_irate_ticket_needs_additional_review_and_no_other_does():
    from caredesk.demo import load_demo

    load_demo()
    irate = Ticket.objects.get(subject="Complaint: considering a BBB complaint")
    flags = {flag.qualifier: flag.matched for flag in ReviewFlag.objects.filter(ticket=irate)}
    assert flags == {"legal_counsel": ["lawyer"], "better_business_bureau": ["BBB"]}
    assert set(ReviewFlag.objects.values_list("ticket_id", flat=True)) == {irate.pk}

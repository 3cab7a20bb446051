"""On PostgreSQL a phrase is first checked by a regular expression (caredesk/search/phrases.py): it must
let through every text PostgreSQL's own phrase search finds, over texts shaped like real support mail."""

import re

import pytest
from django.db import connection

from caredesk.search import phrases

pytestmark = pytest.mark.django_db

TEXTS = [
    "Hi, I requested a refund last week but the refund request still shows as pending.",
    "RE: Re: Passport renewal -- expedited processing?? Please call me back at (415) 555-0199.",
    "My e-mail address changed: dana.whitfield@example.com (was dana_w@old-mail.net).",
    "The card was charged twice; refunded one charge on 2026-01-05, the other is still pending...",
    "Customers' orders shipped_late: tracking number 1Z999AA10123456784 shows 'label created'.",
    "We're dying to know when the solar-panel inspection happens; the installer's crew never came.",
    "I can't log in!!! Password reset e-mails never arrive — checked spam/junk folders.",
    "Appointment at the embassy: Monday, 9:30 a.m.; bring 2 photos + the DS-82 form.",
    "Happy customers tell friends; unhappy customers tell everyone.\nThanks,\nJosé Núñez",
    "Order #ORD-0012345 arrived damaged. Replacement or return? Either works for me.",
    "cancel my order cancel the order cancelled orders cancelling ordering",
    "Bank transfer of $1,250.00 failed: 'insufficient funds' (error code E-402).",
    "Travel date: 12/24. Flight UA 837. Need the visa before the trip abroad!",
    "skies were clear; the sky is blue; lying in the sun; a lie detector",
    "Please update the mailing address on file to 1600 Amphitheatre Pkwy, Mountain View, CA 94043.",
    "Contract warranty covers roof leaks for 10 years; the warranty contract was signed 2019.",
    "Ticket merged from #4512 — same customer, same issue (delivery delayed).",
    "URGENT: account locked after 5 failed login attempts; reset link expired",
    "visit https://status.example.com/incidents/42 for the outage report",
    "The agency's processing time is 6-8 weeks; expedite fees are non-refundable.",
]


def phrases_of(texts):
    """Every two and three words next to one another in the texts, as people would type them."""
    found = set()
    for text in texts:
        words = re.findall(r"\w+", text)
        for length in (2, 3):
            for at in range(len(words) - length + 1):
                found.add(" ".join(words[at:at + length]).lower())
    return sorted(found)


def test_the_first_check_lets_every_phrase_match_through():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's phrase check")
    checked = 0
    with connection.cursor() as cursor:
        for phrase in phrases_of(TEXTS):
            cursor.execute("SELECT alias, lexemes FROM ts_debug('english', %s)", [phrase])
            pattern = phrases.pattern(cursor.fetchall())
            if pattern is None:
                continue
            cursor.execute("SELECT text FROM unnest(%s::text[]) AS t(text) WHERE to_tsvector('english', text) "
                           "@@ phraseto_tsquery('english', %s) AND NOT text ~* %s", [TEXTS, phrase, pattern])
            assert cursor.fetchall() == [], (phrase, pattern)
            checked += 1
    assert checked > 200  # most phrases get a pattern: the check is used, not skipped

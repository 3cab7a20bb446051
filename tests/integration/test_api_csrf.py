"""Calls made with the browser session pass Django's CSRF check; calls with an API token do not need it."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from caredesk.core.actions import create_api_token
from tests.integration.helpers import assert_problem, nothing_written

NOTE = json.dumps({"type": "note", "body": "Written by a page elsewhere"})


@pytest.fixture
def browser(agent):
    """A signed-in browser: Django's test client with the CSRF check on, as a real browser has it."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    client.get("/")  # a workspace page sets the csrftoken cookie, as it does in a browser
    return client


def test_a_foreign_page_cannot_add_a_note_with_the_session(browser, ticket):
    """A form or fetch() on another site sends the session cookie and a text/plain body, no token."""
    with nothing_written():
        body = assert_problem(browser.post(f"/api/v1/tickets/{ticket.pk}/interactions", NOTE,
                                           content_type="text/plain", HTTP_ORIGIN="http://attacker.example"), 403)
    assert body["type"] == "urn:caredesk:problem:csrf-failed"


def test_the_session_without_the_token_is_refused_even_from_this_site(browser, ticket):
    with nothing_written():
        assert_problem(browser.post(f"/api/v1/tickets/{ticket.pk}/interactions", NOTE,
                                    content_type="application/json", HTTP_ORIGIN="http://testserver"), 403)


def test_the_session_with_the_token_from_this_site_is_accepted(browser, ticket):
    response = browser.post(f"/api/v1/tickets/{ticket.pk}/interactions", NOTE, content_type="application/json",
                            HTTP_ORIGIN="http://testserver", HTTP_X_CSRFTOKEN=browser.cookies["csrftoken"].value)
    assert response.status_code == 201, response.content


def test_reading_with_the_session_needs_no_token(browser, ticket):
    assert browser.get(f"/api/v1/tickets/{ticket.pk}").status_code == 200


def test_a_token_call_needs_no_csrf_token(agent, ticket):
    _, token = create_api_token(agent, "script")
    client = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {token}")
    response = client.post(f"/api/v1/tickets/{ticket.pk}/interactions", NOTE, content_type="application/json",
                           HTTP_ORIGIN="http://elsewhere.example")
    assert response.status_code == 201, response.content


def test_no_session_and_no_token_is_401_not_a_csrf_failure(ticket):
    response = Client(enforce_csrf_checks=True).post(f"/api/v1/tickets/{ticket.pk}/interactions", NOTE,
                                                     content_type="application/json")
    assert_problem(response, 401)

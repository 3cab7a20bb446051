"""The API's docs page works under the Content-Security-Policy, with Swagger UI served by caredesk itself."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_the_api_docs_page_renders_every_operation(page, e2e_db):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/api/v1/docs")
    expect(page.get_by_role("heading", name="caredesk API")).to_be_visible()
    expect(page.get_by_text("/api/v1/tickets/{ticket_id}/interactions").first).to_be_visible()
    assert all(url.startswith(page.url.split("/api/")[0]) for url in requested), requested

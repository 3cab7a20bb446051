"""Screenshots of the live workspace for docs/workspace.md (the bell, presence, the shortcuts overlay), on the
demo data at 1280 px. Run with CAREDESK_SCREENSHOTS=1, like tests/e2e/test_workspace_screenshots.py."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.test_workspace_screenshots import OUT, demo  # noqa: F401  (a fixture)

import pytest

pytestmark = pytest.mark.e2e


def test_write_live_screenshots(page, demo):  # noqa: F811
    from caredesk.core.audit import Actor
    from caredesk.core.models import Agent
    from caredesk.live.actions import beat
    from caredesk.tickets.actions import add_interaction, update_ticket

    maria, devon = Agent.objects.get(username="maria"), Agent.objects.get(username="devon")
    ticket, followed = demo["ticket"], demo["followed"]
    add_interaction(followed, actor=Actor.of_agent(devon), channel="internal", direction="internal", kind="note",
                    body="@maria the customer's new photo is in the shared folder.")
    update_ticket(ticket, actor=Actor.of_agent(devon), assignee=devon)
    update_ticket(ticket, actor=Actor.of_agent(devon), assignee=maria)

    OUT.mkdir(parents=True, exist_ok=True)
    page.goto("/login/")
    page.get_by_label("Username").fill("maria")
    page.get_by_label("Password").fill(demo["password"])
    page.get_by_role("button", name="Sign in").click()
    page.locator("#bell summary").click()
    expect(page.locator("#notifications")).to_contain_text("Mentioned in a note")
    page.screenshot(path=OUT / "notifications.png")

    beat(devon, followed, "replying")
    page.goto(f"/tickets/{followed.pk}/")
    expect(page.locator("#presence")).to_contain_text("Devon Price is replying")
    page.screenshot(path=OUT / "presence.png")

    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    page.screenshot(path=OUT / "shortcuts.png")

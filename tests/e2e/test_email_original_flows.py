"""Real-world email in a real browser (issue 16): a forwarded message's ticket shows the customer's own words
with what they forwarded collapsed behind a toggle that reveals it; "show original" renders the sanitised HTML
in a sandboxed frame where nothing the sender wrote can run."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e
FORWARDED = Path(__file__).parents[1] / "fixtures" / "email" / "forwarded.eml"
HTML_MAIL = (b"From: Pat Lee <pat@example.org>\r\nTo: support@example.com\r\nSubject: Roof photos\r\n"
             b"Date: Mon, 02 Mar 2026 10:00:00 +0000\r\nMessage-ID: <html-e2e@example.org>\r\nMIME-Version: 1.0\r\n"
             b"Content-Type: text/html; charset=utf-8\r\n\r\n"
             b"<p>The <b>roof</b> still leaks.</p><script>document.title='pwned';parent.document.title='pwned'"
             b"</script><img src=x onerror=\"document.title='pwned'\">\r\n")


@pytest.fixture
def received(settings, maria):
    """Store a raw message as the SMTP receiver does and process it; returns the ticket it landed on."""
    from caredesk.channels import actions, inbound
    from caredesk.tickets.models import Interaction

    settings.EMAIL_ADDRESS, settings.EMAIL_TOKEN_SECRET = "support@example.com", "e2e-secret"

    def receive(raw: bytes):
        stored = actions.store_inbound(raw, source="smtp", envelope_sender="someone@example.org")
        inbound.process_inbound(stored.pk)
        return Interaction.objects.filter(channel="email", direction="inbound").latest("id").ticket

    return receive


def test_the_forwarded_message_is_behind_a_toggle_that_reveals_it(page, sign_in, received):
    ticket = received(FORWARDED.read_bytes())
    sign_in("maria")
    page.goto(f"/tickets/{ticket.pk}/")
    entry = page.locator(".timeline .entry.inbound").filter(has_text="Is this the letter you needed?")
    expect(entry.locator(".body").first).to_contain_text("Is this the letter you needed?")
    forwarded = entry.get_by_text("Your Employer Identification Number (EIN) is 12-3456789.")
    expect(forwarded).to_be_hidden()  # collapsed, as mail clients show it
    entry.get_by_text("Forwarded message", exact=True).click()
    expect(forwarded).to_be_visible()


def test_show_original_renders_the_html_with_scripts_inert(page, sign_in, received):
    ticket = received(HTML_MAIL)
    sign_in("maria")
    page.goto(f"/tickets/{ticket.pk}/")
    page.get_by_role("link", name="Show original").click()
    expect(page.get_by_role("heading", name="Roof photos")).to_be_visible()
    frame_element = page.locator("iframe.original-html")
    expect(frame_element).to_have_attribute("sandbox", "")
    frame = page.frame_locator("iframe.original-html")
    expect(frame.locator("b")).to_have_text("roof")
    expect(frame.locator("body")).to_contain_text("The roof still leaks.")
    page.wait_for_timeout(300)  # time for a script to have run, had one been let through
    assert page.title() != "pwned"
    content = frame_element.element_handle().content_frame()
    assert content.title() == "Original message" and content.locator("script").count() == 0
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the message as received (.eml)").click()
    assert Path(download.value.path()).read_bytes() == HTML_MAIL


def test_a_redacted_card_number_is_gone_from_show_original(page, sign_in, received):
    """Redact text on the ticket page, then open "Show original": the subject, the HTML frame and the download
    of the message as received no longer hold it."""
    ticket = received(HTML_MAIL.replace(b"Roof photos", b"Card 4111 1111 1111 1111")
                      .replace(b"still leaks.", b"still leaks. Card 4111 1111 1111 1111."))
    sign_in("maria")
    page.goto(f"/tickets/{ticket.pk}/")
    actions = page.get_by_role("region", name="Actions")
    actions.get_by_label("Redact text").fill("4111 1111 1111 1111")
    actions.get_by_role("button", name="Redact…").click()
    expect(page.locator("#redaction-preview")).to_contain_text("the emails as received: 2")
    page.get_by_role("button", name="Redact", exact=True).click()

    page.get_by_role("link", name="Show original").click()
    expect(page.get_by_role("heading", name="Card [redacted]")).to_be_visible()
    frame = page.frame_locator("iframe.original-html")
    expect(frame.locator("body")).to_contain_text("Card [redacted].")
    expect(frame.locator("body")).not_to_contain_text("4111")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download").click()
    raw = Path(download.value.path()).read_bytes()
    assert b"4111" not in raw and b"[redacted]" in raw

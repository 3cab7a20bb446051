"""A page on another origin, opened by a signed-in agent, cannot act through the agent's session."""

from __future__ import annotations

import http.server
import threading
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.channel_peers import free_port

pytestmark = pytest.mark.e2e

# The classic cross-site request: a simple (text/plain, no-cors) POST that the browser sends with its cookies.
ATTACK = """<!doctype html><title>Win a prize</title><script>
fetch("%(target)s", {method: "POST", mode: "no-cors", credentials: "include",
                    headers: {"Content-Type": "text/plain"}, body: '{"type": "note", "body": "pwned"}'})
  .finally(() => { document.title = "sent"; });
</script>"""


@contextmanager
def foreign_site(html: str, host: str):
    """A one-page web server on another port of `host`: another origin, but the same site for cookies."""

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://{host}:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


def test_a_page_elsewhere_cannot_add_a_note_with_the_agents_session(page, sign_in, live_server, maria, dana):
    from caredesk.core.audit import Actor
    from caredesk.tickets.actions import create_ticket
    from caredesk.tickets.models import Interaction

    ticket = create_ticket(actor=Actor.of_agent(maria), requester=dana, subject="Passport photo rejected")
    sign_in("maria")
    expect(page.get_by_role("heading", name="My work")).to_be_visible()
    target = f"{live_server.url}/api/v1/tickets/{ticket.pk}/interactions"
    with foreign_site(ATTACK % {"target": target}, urlsplit(live_server.url).hostname) as address:
        page.goto(address)
        expect(page).to_have_title("sent")
    assert not Interaction.objects.filter(ticket=ticket, body="pwned").exists()

"""The ticket page's Escalation panel and My work's transfers: never offered, then the customer's choice, the
live transfer with Answer/Accept/Decline for the agents concerned, and the presence toggle."""

from __future__ import annotations

import pytest

from caredesk.core import roles
from caredesk.core.actions import set_presence
from caredesk.escalations.models import Escalation

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def specialist(make_agent):
    return set_presence(make_agent("sam", roles.RESOLUTION_SPECIALIST, skills=["Resolution Lead"]), "available")


def step(client, ticket, name, text="", htmx=True):
    return client.post(f"/tickets/{ticket.pk}/escalation/{name}/", {"text": text}, **(HTMX if htmx else {}))


def test_escalation_is_never_offered_until_the_customer_asks(signed_in, ticket):
    html = signed_in.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "Customer asked to escalate" in html
    assert "Customer agrees to wait" not in html and "Customer refuses to wait" not in html
    assert signed_in.post(f"/tickets/{ticket.pk}/escalation/refused_to_wait/", **HTMX).status_code == 404
    html = step(signed_in, ticket, "request", "I want a manager").content.decode()
    assert "Customer agrees to wait" in html and "Customer refuses to wait" in html
    assert "Customer asked to escalate" not in html


def test_refusing_shows_the_script_and_the_live_transfer(signed_in, client, ticket, specialist, frozen_clock):
    step(signed_in, ticket, "request")
    html = step(signed_in, ticket, "refused_to_wait").content.decode()
    assert "if no one is available you will be prompted to leave a voicemail" in html
    assert "ringing Resolution Specialist" in html and "sam" in html and "30 seconds left" in html
    assert 'hx-trigger="every 2s' in html and "Answer the transfer" not in html

    client.force_login(specialist)
    mine = client.get("/escalations/mine/").content.decode()
    assert "transfer ringing you" in mine
    html = step(client, ticket, "answer").content.decode()
    assert "Accept the handling" in html and "Decline" in html
    html = step(client, ticket, "accept").content.decode()
    assert "Transferred to sam" in html
    assert Escalation.objects.get(ticket=ticket).status == "transferred"


def test_a_step_out_of_turn_shows_the_problem(signed_in, ticket):
    step(signed_in, ticket, "request")
    html = step(signed_in, ticket, "accept").content.decode()
    assert 'role="alert"' in html and "Only the agent who answered" in html


def test_presence_toggle_in_my_work(signed_in, agent):
    assert "Set me available" in signed_in.get("/").content.decode()
    html = signed_in.post("/presence/", {"presence": "available"}, **HTMX).content.decode()
    assert "Set me away" in html
    agent.refresh_from_db()
    assert agent.presence == "available"


def test_a_live_call_known_to_the_workspace_is_the_call_the_ladder_transfers(signed_in, ticket, specialist, settings):
    """A softphone opens the ticket with ?call=CA...: the panel carries the call through the request and the
    refusal, and the escalation holds it for the transfer provider (twilio moves that call onto the ladder)."""
    html = signed_in.get(f"/tickets/{ticket.pk}/?call=CA0123456789abcdef").content.decode()
    assert 'name="call_sid" value="CA0123456789abcdef"' in html
    html = signed_in.post(f"/tickets/{ticket.pk}/escalation/request/",
                          {"text": "A manager", "call_sid": "CA0123456789abcdef"}, **HTMX).content.decode()
    assert 'id="escalation-call-sid" name="call_sid" value="CA0123456789abcdef"' in html
    signed_in.post(f"/tickets/{ticket.pk}/escalation/refused_to_wait/", {"call_sid": "CA0123456789abcdef"}, **HTMX)
    assert Escalation.objects.get(ticket=ticket).call_sid == "CA0123456789abcdef"


def test_without_a_known_call_the_console_transfer_asks_for_none(signed_in, ticket):
    step(signed_in, ticket, "request")
    assert 'name="call_sid"' not in signed_in.get(f"/tickets/{ticket.pk}/").content.decode()

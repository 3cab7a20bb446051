"""Quarantined mail in the workspace: Admins see it, retry or discard it; every other role gets 403 and no link."""

from __future__ import annotations

import pytest

from caredesk.channels import actions, inbound
from caredesk.channels.models import ChannelEvent, InboundMessage
from caredesk.channels.parsers import ParseFailure
from caredesk.core import roles

URL = "/mail/quarantine/"


@pytest.fixture
def quarantined(db):
    row = actions.store_inbound(b"Subject: x\r\n\r\nbody", source="smtp", envelope_sender="mallory@example.org")
    inbound.process_batch([row.pk], {row.pk: ParseFailure("parsing failed twice: over the time limit of 30 seconds")})
    return row


@pytest.fixture
def admin_client(client, make_agent):
    client.force_login(make_agent("ada", roles.ADMIN))
    return client


def test_an_admin_sees_the_quarantined_message_with_its_reason_and_a_link_in_the_menu(admin_client, quarantined):
    page = admin_client.get(URL).content.decode()
    assert "over the time limit of 30 seconds" in page and "mallory@example.org" in page
    assert f"/api/v1/inbound-messages/{quarantined.pk}/raw" in page and 'href="/mail/quarantine/"' in page


@pytest.mark.parametrize(("button", "status", "event"), [("retry", "failed", "inbound.retried"),
                                                          ("discard", "ignored", "inbound.discarded")])
def test_an_admin_retries_or_discards_it_and_the_change_is_audited(admin_client, quarantined, button, status, event):
    response = admin_client.post(f"{URL}{quarantined.pk}/{button}/", follow=True)
    assert response.redirect_chain[-1][0] == URL and "No quarantined mail." in response.content.decode()
    assert InboundMessage.objects.get(pk=quarantined.pk).status == status
    assert ChannelEvent.objects.filter(inbound=quarantined).latest("id").action == event
    again = admin_client.post(f"{URL}{quarantined.pk}/{button}/", follow=True).content.decode()
    assert f"{status}, not quarantined" in again  # twice (another tab): said, nothing changed


@pytest.mark.parametrize("role", [role for role in roles.ALL_ROLES if role != roles.ADMIN])
def test_every_other_role_gets_403_and_no_link(client, make_agent, quarantined, role):
    client.force_login(make_agent("other", role))
    assert client.get(URL).status_code == 403
    assert client.post(f"{URL}{quarantined.pk}/discard/").status_code == 403
    assert InboundMessage.objects.get(pk=quarantined.pk).status == "quarantined"
    assert 'href="/mail/quarantine/"' not in client.get("/").content.decode()

"""An inbound email's "show original": the sanitised HTML in a sandboxed frame under its own strict policy, the
message as received as an audited download, for agents who work tickets only; and calendar invites and
winmail.dat read on the way in."""

from __future__ import annotations

from caredesk.channels.models import ChannelEvent
from caredesk.core.actions import create_agent
from caredesk.tickets.models import Attachment, Interaction
from tests.integration.channels.conftest import corpus_message

HTML_MAIL = (b"From: Pat Lee <pat@example.org>\r\nTo: support@example.com\r\nSubject: Roof photos\r\n"
             b"Date: Mon, 02 Mar 2026 10:00:00 +0000\r\nMessage-ID: <html-1@example.org>\r\nMIME-Version: 1.0\r\n"
             b"Content-Type: text/html; charset=utf-8\r\n\r\n"
             b"<p>The <b>roof</b> still leaks.</p><script>document.title='pwned'</script>"
             b"<img src=x onerror=\"document.title='pwned'\"><a href=\"javascript:alert(1)\">click</a>\r\n")


def _email(receive) -> Interaction:
    receive(HTML_MAIL)
    return Interaction.objects.get(channel="email", direction="inbound")


def test_the_timeline_offers_show_original_which_frames_the_sanitised_html(client, agent, receive):
    email = _email(receive)
    client.force_login(agent)
    ticket_page = client.get(f"/tickets/{email.ticket_id}/").content.decode()
    original = f"/tickets/{email.ticket_id}/emails/{email.pk}/original/"
    assert f'href="{original}"' in ticket_page and "Show original" in ticket_page
    page = client.get(original).content.decode()
    assert '<iframe class="original-html"' in page and 'sandbox=""' in page and f"{original}html/" in page
    frame = client.get(f"{original}html/")
    html = frame.content.decode()
    assert "<b>roof</b>" in html and "<script" not in html and "onerror" not in html and "javascript:" not in html
    policy = frame["Content-Security-Policy"]
    assert policy.startswith("sandbox;") and "script-src 'none'" in policy and "frame-ancestors 'self'" in policy
    assert frame["X-Frame-Options"] == "SAMEORIGIN"
    assert client.get(f"/tickets/{email.ticket_id}/emails/999/original/").status_code == 404


def test_the_raw_download_is_the_message_as_received_and_audited(client, agent, receive):
    email = _email(receive)
    client.force_login(agent)
    response = client.get(f"/tickets/{email.ticket_id}/emails/{email.pk}/original/raw/")
    assert response.status_code == 200 and response["Content-Type"] == "message/rfc822"
    assert b"".join(response) == HTML_MAIL and "attachment;" in response["Content-Disposition"]
    [event] = ChannelEvent.objects.filter(action="inbound.original_downloaded")
    assert (event.actor_id, event.inbound_id, event.after["via"]) == (agent.pk, email.details["inbound_message"],
                                                                      "workspace")


def test_without_the_role_to_work_tickets_there_is_no_original(db, client, receive):
    email = _email(receive)
    nobody = create_agent(username="viewer", password="correct-horse-battery", role_names=[], check_password=False)
    client.force_login(nobody)
    for path in ("", "html/", "raw/"):
        assert client.get(f"/tickets/{email.ticket_id}/emails/{email.pk}/original/{path}").status_code == 403
    assert not ChannelEvent.objects.filter(action="inbound.original_downloaded").exists()


def test_winmail_dat_arrives_as_its_files_and_an_invite_is_summarised_on_the_timeline(client, agent, receive):
    raw, _ = corpus_message("real_world/container_outlook_tnef")
    receive(raw)
    assert sorted(Attachment.objects.values_list("filename", flat=True)) == ["Quote 2025-03.pdf", "roof photo.png"]
    raw, expected = corpus_message("real_world/container_outlook_invite")
    receive(raw)
    email = Interaction.objects.get(channel="email", details__subject="Roof inspection for order 4471")
    assert email.details["invites"] == expected["invites"]
    client.force_login(agent)
    page = client.get(f"/tickets/{email.ticket_id}/").content.decode()
    assert "Invite: Roof inspection for order 4471" in page and "organised by Emily Carter" in page

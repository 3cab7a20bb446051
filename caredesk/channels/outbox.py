"""The outbox: what to send for an agent's reply or a playbook's request, and its delivery by the worker.

Rows are written by `actions.queue_message` in the transaction of the change that caused them; the worker's
`deliver_due` sends them (email over SMTP, texts through the SMS provider), retrying with backoff. A message
that cannot be sent (no address, unknown template, a line break in a header) is written as failed, with the
reason, instead of raising inside the agent's or the playbook's transaction.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import ssl
from typing import Iterator

from django.conf import settings

from caredesk.channels import actions
from caredesk.channels.config import sender_domain, token_secret, webhook_url
from caredesk.channels.email.compose import HeaderInjection, InvalidAddress, compose_message, make_message_id
from caredesk.channels.email.tokens import make_reply_to, make_subject
from caredesk.channels.models import OutboundMessage
from caredesk.channels.providers import DeliveryFailed, sms_provider
from caredesk.channels.rendering import TemplateUnavailable, email_bodies, render_message_template
from caredesk.core import clock
from caredesk.core.audit import Actor
from caredesk.core.errors import ValidationFailed
from caredesk.customers.contact import normalize_phone
from caredesk.tickets.models import Interaction, Ticket

logger = logging.getLogger("caredesk.channels.outbox")
PLAYBOOK_CHANNELS = {"email": OutboundMessage.Channel.EMAIL, "text": OutboundMessage.Channel.SMS}


def queue_agent_message(ticket: Ticket, interaction: Interaction, actor: Actor) -> OutboundMessage:
    """Queue an agent's public reply (email or text) on `ticket`; idempotent per interaction."""
    fields = _email_fields(ticket) if interaction.channel == "email" else _sms_fields(ticket)
    return _queue(ticket=ticket, actor=actor, channel=interaction.channel, origin=OutboundMessage.Origin.AGENT_REPLY,
                  idempotency_key=f"interaction-{interaction.pk}", interaction=interaction, body=interaction.body,
                  **fields)


def queue_playbook_message(*, run, ticket: Ticket, message_key: str, channel: str, template: str,
                           to: tuple[str, ...] = ()) -> OutboundMessage:
    """Queue the automatic message a playbook run asks for; idempotent per (run, message_key)."""
    actor = Actor.playbook(run.definition.name, run.definition.version)
    key = f"playbook-run-{run.pk}-{message_key}"[:200]
    outbound_channel = PLAYBOOK_CHANNELS.get(channel)
    if outbound_channel is None:
        return actions.queue_message(ticket=ticket, actor=actor, channel=OutboundMessage.Channel.EMAIL,
                                     origin=OutboundMessage.Origin.PLAYBOOK, idempotency_key=key, template=template,
                                     failure_reason=f'a playbook cannot send on the "{channel}" channel')
    return queue_template_message(ticket=ticket, actor=actor, channel=outbound_channel, template=template,
                                  origin=OutboundMessage.Origin.PLAYBOOK, idempotency_key=key, to=to)


def queue_template_message(*, ticket: Ticket, actor: Actor, channel: str, template: str, origin: str,
                           idempotency_key: str, to: tuple[str, ...] = (), extra: dict | None = None
                           ) -> OutboundMessage:
    """Queue an automatic message rendered from the message template `template` (with `extra` names); a
    template that is missing or does not render writes the row failed, with the reason."""
    fields = _email_fields(ticket) if channel == OutboundMessage.Channel.EMAIL else _sms_fields(ticket)
    if to:
        fields["to"] = list(to)
    template_channel = "text" if channel == OutboundMessage.Channel.SMS else channel
    try:
        subject, body = render_message_template(template, template_channel, ticket, extra)
    except TemplateUnavailable as error:
        return actions.queue_message(ticket=ticket, actor=actor, channel=channel, template=template,
                                     origin=origin, idempotency_key=idempotency_key,
                                     to=fields["to"], failure_reason=str(error))
    if channel == OutboundMessage.Channel.EMAIL and subject:
        fields["subject"] = make_subject(subject, ticket.pk)
    return _queue(ticket=ticket, actor=actor, channel=channel, origin=origin,
                  idempotency_key=idempotency_key, body=body, template=template, automatic=True, **fields)


def _queue(**row) -> OutboundMessage:
    """Write the row queued, or failed with the reason a check found."""
    problem = _problem(row)
    if problem:
        row.pop("message_id", None)
        row.pop("thread", None)
    return actions.queue_message(failure_reason=problem or "", **row)


def _problem(row: dict) -> str | None:
    if not row.get("to"):
        return f"the customer has no {'email address' if row['channel'] == 'email' else 'phone number'}"
    if row["channel"] == OutboundMessage.Channel.SMS:
        try:
            row["to"] = [normalize_phone(number, field="to") for number in row["to"]]
        except ValidationFailed as error:
            return error.detail
        return None
    try:
        _compose(OutboundMessage(**{key: row.get(key) for key in ("to", "subject", "reply_to", "message_id")},
                                 references=row.get("thread", []), body=row.get("body", "")), row["ticket"])
    except (HeaderInjection, InvalidAddress) as error:
        return str(error)
    except ValueError as error:
        return f"the message cannot be built: {error}"
    return None


def _email_fields(ticket: Ticket) -> dict:
    thread = email_thread(ticket)
    subject = make_subject(f"Re: {ticket.subject}" if thread else ticket.subject, ticket.pk)
    return {
        "to": [address for address in [reply_address(ticket)] if address], "subject": subject, "thread": thread,
        "message_id": make_message_id(sender_domain()),
        "reply_to": make_reply_to(settings.EMAIL_ADDRESS, ticket.pk, token_secret()),
    }


def _sms_fields(ticket: Ticket) -> dict:
    phones = ticket.requester.phones
    return {"to": phones[:1]}


def reply_address(ticket: Ticket) -> str | None:
    """Where a reply goes: the Reply-To or From of the customer's latest email, else their first address."""
    latest = (ticket.interactions.filter(channel="email", direction=Interaction.Direction.INBOUND)
              .exclude(external_id=None).order_by("-occurred_at", "-id").values_list("details", flat=True).first())
    if latest and (latest.get("reply_to") or latest.get("from")):
        return latest.get("reply_to") or latest.get("from")
    emails = ticket.requester.emails
    return emails[0] if emails else None


def email_thread(ticket: Ticket) -> list[str]:
    """The Message-IDs of the ticket's emails, oldest first: the last one is what a new message replies to."""
    inbound = ticket.interactions.filter(channel="email", direction=Interaction.Direction.INBOUND).exclude(
        external_id=None).values_list("occurred_at", "external_id")
    outbound = ticket.outbound_messages.exclude(message_id=None).exclude(status=OutboundMessage.Status.FAILED) \
        .values_list("created_at", "message_id")
    return [identifier for _, identifier in sorted([*inbound, *outbound])]


# delivery


def deliver_due(limit: int = 200) -> int:
    """The worker's sweep: send what is due. Returns how many messages were attempted."""
    ids = actions.claim_due_outbound(limit)
    if not ids:
        return 0
    with _smtp_connection() as smtp:
        for row in OutboundMessage.objects.filter(pk__in=ids).select_related("ticket").order_by("id"):
            try:
                transport, provider_id = _send(row, smtp)
            except DeliveryFailed as failure:
                logger.warning("outbound #%s not sent: %s", row.pk, failure.reason)
                actions.mark_attempt_failed(row, failure.reason, permanent=failure.permanent)
            else:
                actions.mark_sent(row, transport=transport, provider_id=provider_id)
    return len(ids)


def _send(row: OutboundMessage, smtp: _LazySmtp) -> tuple[str, str]:
    if row.channel == OutboundMessage.Channel.SMS:
        provider = sms_provider()
        sid = provider.send_sms(to=row.to[0], body=row.body,
                                status_callback=webhook_url("/channels/twilio/sms/status/"))
        return provider.name, sid
    try:
        message = _compose(row, row.ticket)
    except ValueError as error:  # HeaderInjection and InvalidAddress are ValueErrors
        raise DeliveryFailed(f"the message cannot be built: {error}", permanent=True) from None
    if not settings.SMTP_HOST:
        logger.info("console email (not sent) to %s: %s", ", ".join(row.to), row.subject)
        return "console", ""
    smtp.send(message, row.to)
    return "smtp", ""


def _compose(row: OutboundMessage, ticket: Ticket):
    text, html = email_bodies(row.body or "", ticket)
    return compose_message(
        from_address=settings.EMAIL_ADDRESS, from_name=settings.EMAIL_FROM_NAME, to=row.to, subject=row.subject,
        text=text, html=html, message_id=row.message_id, date=clock.now(), reply_to=row.reply_to or None,
        thread=row.references or (), automatic=row.automatic,
    )


class _LazySmtp:
    """One SMTP connection for a delivery pass, opened on the first email and reopened after an error."""

    def __init__(self):
        self.connection: smtplib.SMTP | None = None

    def send(self, message, recipients: list[str]) -> None:
        try:
            if self.connection is None:
                self.connection = _connect()
            refused = self.connection.send_message(message, from_addr=settings.EMAIL_ADDRESS, to_addrs=recipients)
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            raise DeliveryFailed(f"every recipient was refused: {_describe_refusals(error.recipients)}",
                                 permanent=all(code >= 500 for code in codes)) from None
        except smtplib.SMTPAuthenticationError as error:
            self.close()
            raise DeliveryFailed(f"the SMTP server refused our credentials ({error.smtp_code})", permanent=False)
        except smtplib.SMTPResponseException as error:
            self.close()
            message_text = error.smtp_error.decode(errors="replace") if isinstance(error.smtp_error, bytes) \
                else str(error.smtp_error)
            raise DeliveryFailed(f"the SMTP server answered {error.smtp_code} {message_text}",
                                 permanent=error.smtp_code >= 500) from None
        except (smtplib.SMTPException, OSError) as error:
            self.close()
            raise DeliveryFailed(f"SMTP delivery failed: {type(error).__name__}: {error}", permanent=False) from None
        if refused:
            logger.warning("outbound mail: some recipients refused: %s", _describe_refusals(refused))

    def close(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.connection.quit()
            self.connection = None


def _describe_refusals(refusals: dict) -> str:
    return "; ".join(f"{address}: {code} {reply.decode(errors='replace') if isinstance(reply, bytes) else reply}"
                     for address, (code, reply) in refusals.items())


def _connect() -> smtplib.SMTP:
    security, timeout = settings.SMTP_SECURITY, settings.SMTP_TIMEOUT_SECONDS
    if security == "tls":
        connection = smtplib.SMTP_SSL(settings.SMTP_HOST, settings.SMTP_PORT, timeout=timeout,
                                      context=ssl.create_default_context())
    else:
        connection = smtplib.SMTP(settings.SMTP_HOST, settings.SMTP_PORT, timeout=timeout)
        if security == "starttls":
            connection.starttls(context=ssl.create_default_context())
    if settings.SMTP_USERNAME:
        connection.login(settings.SMTP_USERNAME, settings.SMTP_PASSWORD)
    return connection


@contextlib.contextmanager
def _smtp_connection() -> Iterator[_LazySmtp]:
    smtp = _LazySmtp()
    try:
        yield smtp
    finally:
        smtp.close()

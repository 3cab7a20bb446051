from django.contrib import admin

from caredesk.channels.models import ImapMailboxState, InboundMessage, MessageTemplate, OutboundMessage
from caredesk.core.admin import AuditedAdmin, ReadOnlyAdmin


@admin.register(MessageTemplate)
class MessageTemplateAdmin(AuditedAdmin):
    list_display = ("name", "channel", "subject", "active")
    list_filter = ("channel", "active")


@admin.register(InboundMessage)
class InboundMessageAdmin(ReadOnlyAdmin):
    list_display = ("id", "source", "received_at", "status", "outcome", "ticket", "size")
    list_filter = ("status", "source", "automated_kind")
    search_fields = ("message_id",)
    exclude = ("raw",)


@admin.register(OutboundMessage)
class OutboundMessageAdmin(ReadOnlyAdmin):
    list_display = ("id", "ticket", "channel", "status", "attempts", "created_at", "sent_at")
    list_filter = ("status", "channel", "origin")
    search_fields = ("message_id", "idempotency_key")


@admin.register(ImapMailboxState)
class ImapMailboxStateAdmin(ReadOnlyAdmin):
    list_display = ("name", "uidvalidity", "last_uid", "polled_at")

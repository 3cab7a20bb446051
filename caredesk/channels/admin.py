from django.contrib import admin

from caredesk.channels.models import ImapMailboxState, InboundMessage, MessageTemplate, OutboundMessage


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "channel", "subject", "active")
    list_filter = ("channel", "active")


class ReadOnlyAdmin(admin.ModelAdmin):
    """Channel records change only through caredesk.channels.actions; the admin shows them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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

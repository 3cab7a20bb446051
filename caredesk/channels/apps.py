from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "caredesk.channels"
    label = "channels"
    verbose_name = "Channels"

    def ready(self):
        from django.db.models.signals import post_migrate

        from caredesk.channels import actions, events
        from caredesk.channels.models import OutboundMessage
        from caredesk.core.defaults import seed_after_migrate
        from caredesk.tickets import redaction

        post_migrate.connect(seed_after_migrate, sender=self, dispatch_uid=f"{self.label}.defaults")
        events.declare()
        redaction.register("the emails as received", actions.redact_inbound)
        redaction.register_details("subject", "html", "from_name", "invites")  # an inbound email's (inbound.py)
        redaction.register("the outbox", redaction.fields(OutboundMessage, ticket="ticket", names=("subject", "body")))
        from caredesk.channels import receivers  # noqa: F401  (connects the ticket and playbook signals)

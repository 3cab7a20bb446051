from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "caredesk.channels"
    label = "channels"
    verbose_name = "Channels"

    def ready(self):
        from django.db.models.signals import post_migrate

        from caredesk.channels import events
        from caredesk.core.defaults import seed_after_migrate

        post_migrate.connect(seed_after_migrate, sender=self, dispatch_uid=f"{self.label}.defaults")
        events.declare()
        from caredesk.channels import receivers  # noqa: F401  (connects the ticket and playbook signals)

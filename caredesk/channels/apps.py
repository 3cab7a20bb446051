from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "caredesk.channels"
    label = "channels"
    verbose_name = "Channels"

    def ready(self):
        from caredesk.channels import receivers  # noqa: F401  (connects the ticket and playbook signals)

from django.apps import AppConfig


class PlaybooksConfig(AppConfig):
    name = "caredesk.playbooks"
    label = "playbooks"
    verbose_name = "Playbooks"

    def ready(self):
        from caredesk.playbooks import receivers  # noqa: F401  (connects the ticket signals)

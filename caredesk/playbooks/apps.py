from django.apps import AppConfig


class PlaybooksConfig(AppConfig):
    name = "caredesk.playbooks"
    label = "playbooks"
    verbose_name = "Playbooks"

    def ready(self):
        from caredesk.playbooks import events, receivers  # noqa: F401  (receivers connects the ticket signals)

        events.declare()

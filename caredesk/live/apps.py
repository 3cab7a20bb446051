from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "caredesk.live"
    label = "live"
    verbose_name = "Live workspace"

    def ready(self) -> None:
        from caredesk.live import events

        events.declare()

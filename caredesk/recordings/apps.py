from django.apps import AppConfig


class RecordingsConfig(AppConfig):
    name = "caredesk.recordings"
    label = "recordings"
    verbose_name = "Call recordings"

    def ready(self) -> None:
        from caredesk.recordings import events

        events.declare()

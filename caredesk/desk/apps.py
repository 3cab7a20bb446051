from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "caredesk.desk"
    label = "desk"
    verbose_name = "Agent desk: macros, canned responses, bulk changes, merging, assignment"

    def ready(self) -> None:
        from caredesk.desk import events, receivers  # noqa: F401  (receivers connect on import)

        events.declare()

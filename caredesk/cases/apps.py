from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "caredesk.cases"
    label = "cases"
    verbose_name = "Escalation cases"

    def ready(self) -> None:
        from caredesk.cases import events

        events.declare()

from django.apps import AppConfig


class EscalationsConfig(AppConfig):
    name = "caredesk.escalations"
    label = "escalations"
    verbose_name = "Escalations"

    def ready(self) -> None:
        from caredesk.escalations import events, simulation

        events.declare()
        simulation.register()

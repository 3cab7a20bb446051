from django.apps import AppConfig


class EscalationsConfig(AppConfig):
    name = "caredesk.escalations"
    label = "escalations"
    verbose_name = "Escalations"

    def ready(self) -> None:
        from caredesk.escalations import events, simulation
        from caredesk.escalations.models import Escalation
        from caredesk.tickets import redaction

        events.declare()
        simulation.register()
        redaction.register("escalations", redaction.fields(Escalation, ticket="ticket", names=("reason",)))

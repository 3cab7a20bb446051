from django.apps import AppConfig


class ClarificationsConfig(AppConfig):
    name = "caredesk.clarifications"
    label = "clarifications"
    verbose_name = "Care clarifications"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from caredesk.clarifications import events
        from caredesk.clarifications.models import Clarification
        from caredesk.core.defaults import seed_after_migrate
        from caredesk.tickets import redaction

        events.declare()
        post_migrate.connect(seed_after_migrate, sender=self, dispatch_uid=f"{self.label}.defaults")
        redaction.register("clarifications", redaction.fields(Clarification, ticket="ticket", names=("details",)))

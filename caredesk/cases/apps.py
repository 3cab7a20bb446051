from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "caredesk.cases"
    label = "cases"
    verbose_name = "Escalation cases"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from caredesk.cases import events
        from caredesk.cases.models import CASE_TEXTS, CASES, Case
        from caredesk.core.defaults import seed_after_migrate
        from caredesk.tickets import redaction

        events.declare()
        post_migrate.connect(seed_after_migrate, sender=self, dispatch_uid=f"{self.label}.defaults")
        redaction.register(CASES, redaction.fields(Case, ticket="ticket", names=CASE_TEXTS))

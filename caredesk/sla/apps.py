from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "caredesk.sla"
    label = "sla"
    verbose_name = "Priority and SLA"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from caredesk.core.defaults import seed_after_migrate
        from caredesk.sla import events, receivers, simulation  # noqa: F401  (receivers connect on import)

        events.declare()
        simulation.register()
        post_migrate.connect(seed_after_migrate, sender=self, dispatch_uid=f"{self.label}.defaults")

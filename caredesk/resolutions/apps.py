from django.apps import AppConfig


class ResolutionsConfig(AppConfig):
    name = "caredesk.resolutions"
    label = "resolutions"
    verbose_name = "Resolutions and feedback"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from caredesk.core.defaults import seed_after_migrate
        from caredesk.resolutions import actions, events, simulation
        from caredesk.resolutions.models import Resolution
        from caredesk.tickets import redaction, signals

        events.declare()
        simulation.register()
        signals.ticket_solving.connect(actions.check_solving, dispatch_uid="resolutions.check_solving")
        signals.ticket_changed.connect(actions.follow_status, dispatch_uid="resolutions.follow_status")
        signals.auto_close_holds.connect(actions.auto_close_holds, dispatch_uid="resolutions.auto_close_holds")
        post_migrate.connect(seed_after_migrate, sender=self, dispatch_uid=f"{self.label}.defaults")
        redaction.register("resolutions", redaction.fields(Resolution, ticket="ticket",
                                                           names=("summary", "confirmation_note")))

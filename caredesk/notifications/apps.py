from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "caredesk.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from caredesk.core.defaults import seed_after_migrate
        from caredesk.notifications import events, receivers  # noqa: F401  (receivers connects the ticket signals)
        from caredesk.notifications.models import Notification
        from caredesk.tickets import redaction

        events.declare()
        redaction.register("notifications", redaction.fields(Notification, ticket="ticket", names=("text",)))
        post_migrate.connect(seed_after_migrate, sender=self, dispatch_uid=f"{self.label}.defaults")

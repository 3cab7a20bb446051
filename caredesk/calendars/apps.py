from django.apps import AppConfig


class CalendarsConfig(AppConfig):
    name = "caredesk.calendars"
    label = "calendars"
    verbose_name = "Business-hours calendars"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from caredesk.core.defaults import seed_after_migrate

        post_migrate.connect(seed_after_migrate, sender=self, dispatch_uid=f"{self.label}.defaults")

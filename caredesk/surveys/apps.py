from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "caredesk.surveys"
    label = "surveys"
    verbose_name = "Satisfaction surveys"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from caredesk.core.defaults import seed_after_migrate
        from caredesk.surveys import events, receivers  # noqa: F401  (connects the receivers)

        events.declare()
        post_migrate.connect(seed_after_migrate, sender=self, dispatch_uid=f"{self.label}.defaults")

from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "caredesk.analytics"
    label = "analytics"
    verbose_name = "Analytics"

    def ready(self) -> None:
        from caredesk.analytics import receivers  # noqa: F401  (connects the receivers)

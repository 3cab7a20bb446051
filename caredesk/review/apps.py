from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "caredesk.review"
    label = "review"
    verbose_name = "Sensitive-issue review"

    def ready(self):
        from caredesk.review import configured, receivers  # noqa: F401  (connects the ticket signals, the check)

from django.apps import AppConfig
from django.conf import settings


class ReviewConfig(AppConfig):
    name = "caredesk.review"
    label = "review"
    verbose_name = "Sensitive-issue review"

    def ready(self):
        from caredesk.review import configured, receivers  # noqa: F401  (connects the ticket signals)

        if getattr(settings, "SENSITIVE_ISSUES_FILE", None):
            configured.matcher()  # a team's file with a mistake stops start-up, naming the file and field

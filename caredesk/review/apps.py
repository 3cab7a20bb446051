from django.apps import AppConfig
from django.conf import settings


class ReviewConfig(AppConfig):
    name = "caredesk.review"
    label = "review"
    verbose_name = "Sensitive-issue review"

    def ready(self):
        from caredesk.review import configured, events, receivers  # noqa: F401  (receivers connects the ticket signals)

        events.declare()

        if getattr(settings, "SENSITIVE_ISSUES_FILE", None):
            configured.matcher()  # a team's file with a mistake stops start-up, naming the file and field

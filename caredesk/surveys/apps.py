from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "caredesk.surveys"
    label = "surveys"
    verbose_name = "Satisfaction surveys"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from caredesk.core.defaults import seed_after_migrate
        from caredesk.surveys import events, receivers  # noqa: F401  (connects the receivers)
        from caredesk.surveys.models import NpsSurvey, RatingReview, Survey
        from caredesk.tickets import redaction

        events.declare()
        post_migrate.connect(seed_after_migrate, sender=self, dispatch_uid=f"{self.label}.defaults")
        redaction.register("satisfaction surveys", redaction.fields(Survey, ticket="ticket", names=("comment",)))
        redaction.register("NPS surveys", redaction.fields(NpsSurvey, ticket="ticket", names=("comment",)))
        redaction.register("rating reviews", redaction.fields(RatingReview, ticket="survey__ticket", names=("note",)))

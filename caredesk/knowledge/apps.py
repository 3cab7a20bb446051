from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "caredesk.knowledge"
    label = "knowledge"
    verbose_name = "Knowledge base"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from caredesk.core.defaults import seed_after_migrate
        from caredesk.knowledge import events
        from caredesk.knowledge.search import ArticleSource
        from caredesk.search import registry

        events.declare()
        registry.register(ArticleSource())
        post_migrate.connect(seed_after_migrate, sender=self, dispatch_uid=f"{self.label}.defaults")

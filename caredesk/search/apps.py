from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "caredesk.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        from caredesk.core import audit
        from caredesk.search import actions, engines, sources

        sources.register_all()
        audit.on_written(actions.follow_audit)
        engines.check_at_start_up()

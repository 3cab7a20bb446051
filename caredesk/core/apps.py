from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "caredesk.core"
    label = "core"
    verbose_name = "Agents and access"

    def ready(self):
        from django.db.models.signals import m2m_changed, post_migrate, post_save

        from caredesk.core import agent_events, configuration_events
        from caredesk.core.actions import forget_cached_tokens
        from caredesk.core.defaults import seed_after_migrate
        from caredesk.core.models import Agent

        post_migrate.connect(seed_after_migrate, sender=self, dispatch_uid=f"{self.label}.defaults")
        agent_events.declare()
        configuration_events.declare()
        # An agent deactivated or given other roles (in the admin, say) is re-checked on the next request.
        post_save.connect(lambda **kwargs: forget_cached_tokens(), sender=Agent, weak=False,
                          dispatch_uid="core.agent_saved")
        m2m_changed.connect(lambda **kwargs: forget_cached_tokens(), sender=Agent.groups.through, weak=False,
                            dispatch_uid="core.agent_roles_changed")

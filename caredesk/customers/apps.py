from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "caredesk.customers"
    label = "customers"
    verbose_name = "Customers and orders"

    def ready(self):
        from django.db.models.signals import post_migrate

        from caredesk.core.defaults import seed_after_migrate
        from caredesk.customers import events

        post_migrate.connect(seed_after_migrate, sender=self, dispatch_uid=f"{self.label}.defaults")
        events.declare()

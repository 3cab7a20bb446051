"""What caredesk ships for a new installation, seeded by each app's `defaults.seed(apps)`.

Each app's seed runs in its data migration and again on every `post_migrate` (after `migrate`, and after a
test run's `flush` empties the tables), so the defaults are always there. A seed only adds what is
missing: a team's renamed or retired entries are left as the team made them.
"""

from __future__ import annotations

from caredesk.core.roles import ALL_ROLES


def seed_entries(apps, label: str, entries: list[tuple[str, str]]) -> None:
    """(key, name) entries of a configurable list, created when their key is missing."""
    model = apps.get_model(label)
    for position, (key, name) in enumerate(entries):
        model.objects.get_or_create(key=key, defaults={"name": name, "position": position})


def seed(apps, schema_editor=None) -> None:
    """The roles, as Django groups."""
    Group = apps.get_model("auth.Group")
    for name in ALL_ROLES:
        Group.objects.get_or_create(name=name)


def seed_after_migrate(sender, apps=None, **kwargs) -> None:
    """A post_migrate receiver running the sending app's own `defaults.seed` (a flush sends no `apps`:
    the installed models are current then)."""
    from importlib import import_module

    from django.apps import apps as installed

    import_module(f"{sender.name}.defaults").seed(apps or installed)

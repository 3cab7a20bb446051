"""The notification kinds a new installation starts with (the team renames or turns them off in the admin)."""

from caredesk.core.defaults import seed_entries

KINDS = [
    ("assigned", "Assigned to you"),
    ("customer_replied", "The customer replied"),
    ("mentioned", "Mentioned in a note"),
    ("sla_warning", "SLA warning"),
]


def seed(apps, schema_editor=None) -> None:
    seed_entries(apps, "notifications.NotificationKind", KINDS)

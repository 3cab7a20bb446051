"""The ticket types, categories, groups and canned responses a new installation starts with."""

from caredesk.core.defaults import seed_entries

TICKET_TYPES = [
    ("general_inquiry", "General inquiry"), ("refund_request", "Refund request"), ("bot_issue", "Bot issue"),
    ("clarification", "Clarification"),
]
CATEGORIES = [
    ("technical_support", "Technical support"), ("billing", "Billing"), ("product_inquiry", "Product inquiry"),
    ("general_question", "General question"),
]
GROUPS = [
    ("general_support", "General Support"), ("website_care", "Website Care"),
    ("unresponsive_customers", "Unresponsive Customers"), ("resolution", "Resolution"), ("back_office", "Back Office"),
]
CALL_NOTES_FIELDS = ["Caller Name", "Call Type", "Customer Type", "Reason for Call", "Actions Taken"]


def seed(apps, schema_editor=None) -> None:
    seed_entries(apps, "tickets.TicketType", TICKET_TYPES)
    seed_entries(apps, "tickets.Category", CATEGORIES)
    seed_entries(apps, "tickets.Group", GROUPS)
    canned = apps.get_model("tickets.CannedResponse")
    if not any(field.name == "tabs" for field in canned._meta.get_fields()):
        return  # migration 0002's model, before composer tabs: seeded after the migrations that add them
    canned.objects.get_or_create(name="Call Notes", defaults={
        "tabs": ["call", "note"], "body": "\n".join(f"{field}:" for field in CALL_NOTES_FIELDS),
        "fields": CALL_NOTES_FIELDS,
    })

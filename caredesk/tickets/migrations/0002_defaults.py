from django.db import migrations

from caredesk.core.migration_helpers import append_only, seed_entries

CALL_NOTES = """Caller Name:
Call Type:
Customer Type:
Reason for Call:
Actions Taken:"""


def call_notes_response(apps, schema_editor):
    CannedResponse = apps.get_model("tickets", "CannedResponse")
    CannedResponse.objects.get_or_create(name="Call Notes", defaults={
        "use": "call", "body": CALL_NOTES,
        "fields": ["Caller Name", "Call Type", "Customer Type", "Reason for Call", "Actions Taken"],
    })


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = [
        append_only("tickets_ticketevent"),
        seed_entries("tickets", "TicketType", [
            ("general_inquiry", "General inquiry"), ("refund_request", "Refund request"),
            ("bot_issue", "Bot issue"), ("clarification", "Clarification"),
        ]),
        seed_entries("tickets", "Category", [
            ("technical_support", "Technical support"), ("billing", "Billing"),
            ("product_inquiry", "Product inquiry"), ("general_question", "General question"),
        ]),
        seed_entries("tickets", "Group", [
            ("general_support", "General Support"), ("website_care", "Website Care"),
            ("unresponsive_customers", "Unresponsive Customers"), ("resolution", "Resolution"),
            ("back_office", "Back Office"),
        ]),
        migrations.RunPython(call_notes_response, migrations.RunPython.noop),
    ]

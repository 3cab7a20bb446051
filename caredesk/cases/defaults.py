"""What a new installation starts with for cases: SOP 003's primary reasons (a list the team edits) and the
documentation request email (a message template the team edits)."""

from caredesk.core.defaults import seed_entries

PRIMARY_REASONS = [
    ("installation_concern", "Installation concern"),
    ("sales_misrepresentation", "Sales misrepresentation"),
    ("fraudulent_claims", "Fraudulent claims"),
    ("agreement_violations", "Agreement violations"),
    ("unlicensed_contractor", "Unlicensed contractor"),
    ("billing_or_financing", "Billing or financing"),
    ("other", "Other"),
]

DOCUMENTATION_REQUEST_TEMPLATE = "case_documentation_request"
DOCUMENTATION_REQUEST_EMAIL = """Hello {{ customer.name }},

Thank you for bringing your concern about "{{ ticket.subject }}" to us. So that our team can review it,
we need the following supporting documentation from you:

{{ needed }}

Please reply to this email with the documents attached.

Thank you,
Customer Care"""


def seed(apps, schema_editor=None) -> None:
    seed_entries(apps, "cases.PrimaryReason", PRIMARY_REASONS)
    MessageTemplate = apps.get_model("channels.MessageTemplate")
    MessageTemplate.objects.get_or_create(
        name=DOCUMENTATION_REQUEST_TEMPLATE, channel="email",
        defaults={"subject": "Supporting documentation for your concern: {{ ticket.subject }}",
                  "body": DOCUMENTATION_REQUEST_EMAIL})

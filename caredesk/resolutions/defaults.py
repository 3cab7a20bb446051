"""What a new installation starts with for resolutions: the root causes, resolution codes and feedback teams
(lists the team edits), the rule every ticket type follows (root cause and summary required, confirmation on),
the unresponsive close's outcome, and the confirmation message (a template the team edits)."""

from caredesk.core.defaults import seed_entries

ROOT_CAUSES = [
    ("product_defect", "Product defect"), ("billing_error", "Billing error"),
    ("installation_issue", "Installation issue"), ("documentation_gap", "Documentation gap"),
    ("customer_misunderstanding", "Customer misunderstanding"), ("process_delay", "Process delay"),
    ("customer_unresponsive", "Customer unresponsive"), ("duplicate_request", "Duplicate request"), ("other", "Other"),
]
RESOLUTION_CODES = [
    ("fixed", "Fixed"), ("refund_issued", "Refund issued"), ("replacement_sent", "Replacement sent"),
    ("information_provided", "Information provided"), ("workaround_given", "Workaround given"),
    ("escalated_and_resolved", "Escalated and resolved"), ("closed_unresponsive", "Closed as unresponsive"),
    ("duplicate", "Duplicate"),
]
FEEDBACK_TEAMS = [("product", "Product"), ("billing", "Billing"), ("installers", "Installers")]
REQUIRED_FIELDS = ["root_cause", "summary"]
PLAYBOOK_OUTCOMES = [
    ("general_inquiry_follow_up", "customer_unresponsive", "closed_unresponsive",
     "The customer did not respond after three attempts to follow up; closed as unresponsive (SOP 001)."),
]
CONFIRMATION_TEMPLATE = "resolution_confirmation"
CONFIRMATION_EMAIL = """Hello {{ customer.name }},

We believe your request "{{ ticket.subject }}" is resolved. Thank you for your patience and for bringing it
to our attention.

If anything is still not right, tell us here and we will reopen your ticket:
{{ confirmation_url }}

If you have any remaining concerns, or if there is anything else we can help you with, reply to this
message. Your feedback matters to us.

You can also choose how you prefer us to contact you:
{{ preferences_url }}

Thank you,
Customer Care"""
CONFIRMATION_TEXT = ("Hi {{ customer.name }}, we believe \"{{ ticket.subject }}\" is resolved. "
                     "Still not fixed? Tell us: {{ confirmation_url }}")


def seed(apps, schema_editor=None) -> None:
    seed_entries(apps, "resolutions.RootCause", ROOT_CAUSES)
    seed_entries(apps, "resolutions.ResolutionCode", RESOLUTION_CODES)
    seed_entries(apps, "resolutions.FeedbackTeam", FEEDBACK_TEAMS)
    ResolutionRule = apps.get_model("resolutions.ResolutionRule")
    if not ResolutionRule.objects.filter(ticket_type=None).exists():
        ResolutionRule.objects.create(ticket_type=None, required_fields=REQUIRED_FIELDS, confirmation_required=True)
    RootCause, ResolutionCode = apps.get_model("resolutions.RootCause"), apps.get_model("resolutions.ResolutionCode")
    for playbook, root_cause, code, summary in PLAYBOOK_OUTCOMES:
        apps.get_model("resolutions.PlaybookOutcome").objects.get_or_create(playbook=playbook, defaults={
            "root_cause": RootCause.objects.filter(key=root_cause).first(),
            "resolution_code": ResolutionCode.objects.filter(key=code).first(), "summary": summary})
    MessageTemplate = apps.get_model("channels.MessageTemplate")
    MessageTemplate.objects.get_or_create(name=CONFIRMATION_TEMPLATE, channel="email",  # sent as a reply:
                                          defaults={"body": CONFIRMATION_EMAIL})  # the ticket's subject
    MessageTemplate.objects.get_or_create(name=CONFIRMATION_TEMPLATE, channel="text",
                                          defaults={"body": CONFIRMATION_TEXT})

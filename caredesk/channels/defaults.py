"""The message templates a new installation starts with (see caredesk.core.defaults)."""

FOLLOW_UP_EMAIL = """Hello {{ customer.name }},

We are following up on your request "{{ ticket.subject }}" (ticket #{{ ticket.pk }}).
We need a little more information to move it forward. Please reply to this email, or call us back.

Thank you,
Customer Care"""

CARE_CALL_EMAIL = """Hello {{ customer.name }},

We tried to call you today about "{{ ticket.subject }}" (ticket #{{ ticket.pk }}) but could not reach you.
Please reply to this email or call us back at a time that suits you.

Thank you,
Customer Care"""

FOLLOW_UP_TEXT = ("Customer Care: we are following up on ticket #{{ ticket.pk }} ({{ ticket.subject }}). "
                  "Please reply here or check your email.")

TEMPLATES = [
    ("follow_up_email", "email", "Following up: {{ ticket.subject }}", FOLLOW_UP_EMAIL),
    ("care_call_follow_up", "email", "We tried to reach you: {{ ticket.subject }}", CARE_CALL_EMAIL),
    ("follow_up_text", "text", "", FOLLOW_UP_TEXT),
]



def seed(apps, schema_editor=None) -> None:
    MessageTemplate = apps.get_model("channels.MessageTemplate")
    for name, channel, subject, body in TEMPLATES:
        MessageTemplate.objects.get_or_create(name=name, channel=channel, defaults={"subject": subject, "body": body})

"""What a new installation starts with for surveys: the policy (24 hours after solved, links valid 28 days,
no survey after a follow-up closed as unresponsive or handed off, NPS at most once a quarter), the reasons a
customer gives for a bad rating, and the two survey emails (message templates the team edits)."""

from caredesk.core.defaults import seed_entries

CSAT_TEMPLATE = "csat_survey"
NPS_TEMPLATE = "nps_survey"

BAD_RATING_REASONS = [
    ("took_too_long", "It took too long"),
    ("not_resolved", "My issue was not resolved"),
    ("unhelpful_agent", "The agent was not helpful"),
    ("had_to_repeat", "I had to repeat myself"),
    ("other", "Something else"),
]
EXCLUDED_OUTCOMES = ["unresponsive_closed", "bot_issue_handed_off"]
AUTOMATED_LOCAL_PARTS = ["noreply", "no-reply", "donotreply", "do-not-reply", "mailer-daemon", "postmaster",
                         "bounce", "bounces", "notifications"]

CSAT_EMAIL = """Hello {{ customer.name }},

Your request "{{ ticket.subject }}" was solved. How would you rate the support you received?

Good, I'm satisfied: {{ good_link }}

Bad, I'm unsatisfied: {{ bad_link }}

Each link opens a short form; your answer counts once you submit it. You can change it until {{ expires_at|date:"j F Y" }}.

Thank you for your feedback,
Customer Care"""

NPS_EMAIL = """Hello {{ customer.name }},

How likely are you to recommend us to a friend or colleague? Choose from 0 (not at all likely) to 10 (extremely likely):
{% for score, link in score_links %}
{{ score }}: {{ link }}{% endfor %}

Each link opens a short form; your answer counts once you submit it.

Thank you,
Customer Care"""


def seed(apps, schema_editor=None) -> None:
    seed_entries(apps, "surveys.BadRatingReason", BAD_RATING_REASONS)
    apps.get_model("surveys.SurveyPolicy").objects.get_or_create(
        key="default", defaults={"excluded_outcomes": EXCLUDED_OUTCOMES, "automated_local_parts": AUTOMATED_LOCAL_PARTS})
    MessageTemplate = apps.get_model("channels.MessageTemplate")
    for name, subject, body in ((CSAT_TEMPLATE, "How did we do? {{ ticket.subject }}", CSAT_EMAIL),
                                (NPS_TEMPLATE, "Would you recommend us?", NPS_EMAIL)):
        MessageTemplate.objects.get_or_create(name=name, channel="email", defaults={"subject": subject, "body": body})

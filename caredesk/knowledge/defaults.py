"""What a new installation starts with for the knowledge base: the article categories (a list the team edits in
the admin site, with whether an unhelpful vote on their articles opens a ticket)."""

CATEGORIES = [
    ("us_passport", "US Passport"),
    ("tsa_precheck", "TSA PreCheck"),
    ("trusted_traveler", "Global Entry, NEXUS and SENTRI"),
    ("ein", "EIN"),
    ("website_care", "Website Care"),
    ("orders_and_refunds", "Orders and refunds"),
    ("how_we_work", "How we work"),  # the team's own procedures: internal articles, no public votes
]
INTERNAL_ONLY = {"how_we_work"}


def seed(apps, schema_editor=None) -> None:
    ArticleCategory = apps.get_model("knowledge.ArticleCategory")
    for position, (key, name) in enumerate(CATEGORIES):
        ArticleCategory.objects.get_or_create(key=key, defaults={
            "name": name, "position": position, "unhelpful_vote_opens_ticket": key not in INTERNAL_ONLY})

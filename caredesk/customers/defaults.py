"""The customer types and industries a new installation starts with (see caredesk.core.defaults)."""

from caredesk.core.defaults import seed_entries

CUSTOMER_TYPES = [("website_care", "Website Care"), ("homeowner", "Homeowner")]
INDUSTRIES = [
    ("us_passport", "US Passport"), ("tsa_precheck", "TSA PreCheck"), ("global_entry", "Global Entry"),
    ("nexus", "NEXUS"), ("sentri", "SENTRI"), ("ein", "EIN"), ("website_care", "Website Care"),
]


def seed(apps, schema_editor=None) -> None:
    seed_entries(apps, "customers.CustomerType", CUSTOMER_TYPES)
    seed_entries(apps, "customers.Industry", INDUSTRIES)

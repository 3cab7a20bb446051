from django.db import migrations

from caredesk.core.migration_helpers import append_only, seed_entries


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]
    operations = [
        append_only("customers_customerevent"),
        seed_entries("customers", "CustomerType", [("website_care", "Website Care"), ("homeowner", "Homeowner")]),
        seed_entries("customers", "Industry", [
            ("us_passport", "US Passport"), ("tsa_precheck", "TSA PreCheck"), ("global_entry", "Global Entry"),
            ("nexus", "NEXUS"), ("sentri", "SENTRI"), ("ein", "EIN"), ("website_care", "Website Care"),
        ]),
    ]

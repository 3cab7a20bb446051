from django.db import migrations

from caredesk.core.migration_helpers import append_only
from caredesk.customers import defaults


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]
    operations = [
        append_only("customers_customerevent"),
        migrations.RunPython(defaults.seed, migrations.RunPython.noop),
    ]

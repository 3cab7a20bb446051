from django.db import migrations

from caredesk.channels import defaults
from caredesk.core.migration_helpers import append_only


class Migration(migrations.Migration):
    dependencies = [("channels", "0001_initial")]
    operations = [
        append_only("channels_channelevent"),
        migrations.RunPython(defaults.seed, migrations.RunPython.noop),
    ]

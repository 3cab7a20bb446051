from django.db import migrations

from caredesk.core.migration_helpers import append_only
from caredesk.knowledge import defaults


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]
    operations = [
        append_only("knowledge_articleevent"),
        migrations.RunPython(defaults.seed, migrations.RunPython.noop),
    ]

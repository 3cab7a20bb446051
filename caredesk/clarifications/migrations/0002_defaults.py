from django.db import migrations

from caredesk.clarifications import defaults


class Migration(migrations.Migration):
    dependencies = [("clarifications", "0001_initial")]
    operations = [migrations.RunPython(defaults.seed, migrations.RunPython.noop)]

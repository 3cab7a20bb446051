from django.db import migrations

from caredesk.sla import defaults


class Migration(migrations.Migration):
    dependencies = [("sla", "0003_sla_configuration")]
    operations = [migrations.RunPython(defaults.seed, migrations.RunPython.noop)]

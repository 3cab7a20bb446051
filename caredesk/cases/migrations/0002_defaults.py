from django.db import migrations

from caredesk.cases import defaults


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_case"), ("channels", "0002_defaults")]
    operations = [migrations.RunPython(defaults.seed, migrations.RunPython.noop)]

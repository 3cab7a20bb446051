from django.db import migrations

from caredesk.resolutions import defaults


class Migration(migrations.Migration):
    dependencies = [("resolutions", "0001_resolution"), ("channels", "0002_defaults")]
    operations = [migrations.RunPython(defaults.seed, migrations.RunPython.noop)]

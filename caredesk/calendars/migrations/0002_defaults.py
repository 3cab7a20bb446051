from django.db import migrations

from caredesk.calendars import defaults


class Migration(migrations.Migration):
    dependencies = [("calendars", "0001_initial")]
    operations = [migrations.RunPython(defaults.seed, migrations.RunPython.noop)]

from django.db import migrations

from caredesk.notifications import defaults


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_notification")]
    operations = [migrations.RunPython(defaults.seed, migrations.RunPython.noop)]

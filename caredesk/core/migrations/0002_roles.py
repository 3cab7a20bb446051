"""Ship the roles as Django groups."""

from django.db import migrations

from caredesk.core import defaults


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(defaults.seed, migrations.RunPython.noop)]

from django.db import migrations

from caredesk.surveys import defaults


class Migration(migrations.Migration):
    dependencies = [("channels", "0004_hearing_survey_origin"), ("surveys", "0001_initial")]
    operations = [migrations.RunPython(defaults.seed, migrations.RunPython.noop)]

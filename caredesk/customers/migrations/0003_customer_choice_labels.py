# The labels of a customer's importance and preferred channel ("VIP", "Text message"), which the forms and the
# audit registry read from the model.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0002_defaults'),
    ]

    operations = [
        migrations.AlterField(
            model_name='customer',
            name='importance',
            field=models.CharField(choices=[('standard', 'Standard'), ('key', 'Key'), ('vip', 'VIP')], default='standard', max_length=16),
        ),
        migrations.AlterField(
            model_name='customer',
            name='preferred_channel',
            field=models.CharField(blank=True, choices=[('email', 'Email'), ('phone', 'Phone'), ('sms', 'Text message')], max_length=16),
        ),
    ]

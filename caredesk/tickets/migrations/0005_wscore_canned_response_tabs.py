"""Canned responses name the composer tabs they are offered in, instead of one `use` ("any" offered them
everywhere, "Call Notes" in Public reply too)."""

from django.db import migrations, models

import caredesk.tickets.models

TABS_OF_USE = {"any": ["reply", "note", "call", "text"], "reply": ["reply", "text"], "note": ["note"],
               "call": ["call", "note"]}


def tabs_from_use(apps, schema_editor):
    for response in apps.get_model("tickets.CannedResponse").objects.all():
        response.tabs = TABS_OF_USE.get(response.use, TABS_OF_USE["any"])
        response.save(update_fields=["tabs"])


def use_from_tabs(apps, schema_editor):
    for response in apps.get_model("tickets.CannedResponse").objects.all():
        tabs = set(response.tabs or [])
        response.use = next((use for use, listed in TABS_OF_USE.items() if set(listed) == tabs), "any")
        response.save(update_fields=["use"])


class Migration(migrations.Migration):
    dependencies = [("tickets", "0004_ticket_sort_indexes")]
    operations = [
        migrations.AddField(
            model_name="cannedresponse", name="tabs",
            field=models.JSONField(blank=True, default=caredesk.tickets.models.all_composer_tabs,
                                   help_text="The composer tabs it is offered in: reply, note, call, text."),
        ),
        migrations.RunPython(tabs_from_use, use_from_tabs),
        migrations.RemoveField(model_name="cannedresponse", name="use"),
    ]

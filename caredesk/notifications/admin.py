from django.contrib import admin

from caredesk.customers.admin import ConfigurableEntryAdmin
from caredesk.notifications.models import NotificationKind

admin.site.register(NotificationKind, ConfigurableEntryAdmin)  # the kinds: the team renames or turns them off

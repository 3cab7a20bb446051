"""Round robins are configuration data: the admin edits them through the desk actions. Canned responses and
macros are edited in the workspace (Responses), through the same actions, by Team Supervisors and Admins; the
admin shows the canned responses."""

from django.contrib import admin

from caredesk.core.admin import ReadOnlyAdmin
from caredesk.core.audit import Actor
from caredesk.desk import actions
from caredesk.desk.models import RoundRobin
from caredesk.tickets.models import CannedResponse


@admin.register(RoundRobin)
class RoundRobinAdmin(admin.ModelAdmin):
    list_display = ("group", "active", "last_assigned")
    fields = ("group", "active", "agents")
    filter_horizontal = ("agents",)

    def save_model(self, request, obj, form, change):
        rotation = actions.set_round_robin(form.cleaned_data["group"], actor=Actor.of_agent(request.user),
                                           agents=form.cleaned_data["agents"], active=form.cleaned_data["active"])
        obj.pk = rotation.pk  # the admin's messages and redirects name the row written

    def save_related(self, request, form, formsets, change):
        pass  # the agents were written with the rotation, by the action

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CannedResponse)
class CannedResponseAdmin(ReadOnlyAdmin):
    list_display = ("name", "tabs", "active")
    list_filter = ("active",)
    search_fields = ("name", "body")

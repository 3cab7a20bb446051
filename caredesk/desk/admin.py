"""Round robins and group members are configuration data: the admin edits them through the desk actions.
Canned responses and macros are edited in the workspace (Responses), through the same actions, by Team
Supervisors and Admins; the admin shows the canned responses."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import FilteredSelectMultiple

from caredesk.core.admin import ReadOnlyAdmin
from caredesk.core.audit import Actor
from caredesk.core.models import Agent
from caredesk.desk import actions
from caredesk.desk.models import GroupMembers, RoundRobin
from caredesk.tickets.models import CannedResponse


class RoundRobinForm(forms.ModelForm):
    class Meta:
        model = RoundRobin
        fields = ("group", "active", "of_members", "agents")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("of_members") and cleaned.get("agents"):
            self.add_error("agents", actions.ONE_ROTATION)  # the action's own check, shown on the form
        return cleaned


@admin.register(RoundRobin)
class RoundRobinAdmin(admin.ModelAdmin):
    form = RoundRobinForm
    list_display = ("group", "active", "of_members", "last_assigned")
    fields = ("group", "active", "of_members", "agents")
    filter_horizontal = ("agents",)

    def save_model(self, request, obj, form, change):
        rotation = actions.set_round_robin(form.cleaned_data["group"], actor=Actor.of_agent(request.user),
                                           agents=form.cleaned_data["agents"], active=form.cleaned_data["active"],
                                           of_members=form.cleaned_data["of_members"])
        obj.pk = rotation.pk  # the admin's messages and redirects name the row written

    def save_related(self, request, form, formsets, change):
        pass  # the agents were written with the rotation, by the action

    def has_delete_permission(self, request, obj=None):
        return False


class GroupMembersForm(forms.ModelForm):
    members = forms.ModelMultipleChoiceField(
        queryset=Agent.objects.filter(is_active=True).order_by("username"), required=False,
        widget=FilteredSelectMultiple("agents", is_stacked=False),
        help_text="The agents who work this group's queue and hear of its SLA warnings.")

    class Meta:
        model = GroupMembers
        fields = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["members"].initial = list(
                Agent.objects.filter(group_memberships__group=self.instance).values_list("pk", flat=True))


@admin.register(GroupMembers)
class GroupMembersAdmin(admin.ModelAdmin):
    """Each ticket group with its members; the group itself (name, key, active) is edited under ticket groups."""

    form = GroupMembersForm
    list_display = ("name", "member_names")
    search_fields = ("name", "memberships__agent__username")

    @admin.display(description="Members")
    def member_names(self, group) -> str:
        return ", ".join(sorted(row.agent.get_username() for row in group.memberships.all())) or "—"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("memberships__agent")

    def save_model(self, request, obj, form, change):
        actions.set_group_members(obj, actor=Actor.of_agent(request.user), agents=form.cleaned_data["members"])

    def save_related(self, request, form, formsets, change):
        pass  # the members were written by the action

    def has_add_permission(self, request):
        return False  # groups are added under ticket groups

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CannedResponse)
class CannedResponseAdmin(ReadOnlyAdmin):
    list_display = ("name", "tabs", "active")
    list_filter = ("active",)
    search_fields = ("name", "body")

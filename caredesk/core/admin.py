from contextvars import ContextVar

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.models import Group
from django.forms.models import _get_foreign_key

from caredesk.core import actions as agent_actions
from caredesk.core import roles
from caredesk.core.audit import Actor
from caredesk.core.models import Agent, ApiToken, ConfigurationEvent, Skill


_admin_actor: ContextVar[Actor] = ContextVar("caredesk_admin_actor")  # who uses the password form, per request


class AuditedPasswordChangeForm(AdminPasswordChangeForm):
    """The admin's password form, saving through `set_password` (which writes the AgentEvent)."""

    def save(self, commit=True):
        password = self.cleaned_data["password1"] if self.cleaned_data["set_usable_password"] else None
        # The form checked the password against the same validators set_password would.
        return agent_actions.set_password(self.user, password, actor=_admin_actor.get(), check_password=False)


class AuditedAdmin(admin.ModelAdmin):
    """Configuration the team edits here (lists, rules, templates, calendars, policies): every save, from the
    change form or the list's editable columns, and every removal goes through caredesk.core.actions and
    writes a ConfigurationEvent, the row's inline rows included."""

    def inline_relations(self) -> list[str]:
        """The names under which the row reaches the rows its inlines edit."""
        return [_get_foreign_key(self.model, inline.model, fk_name=inline.fk_name).remote_field.get_accessor_name()
                for inline in self.inlines]

    def save_model(self, request, obj, form, change):
        """Saved in `save_related`, with its many-to-many values and inline rows, as one audited change."""

    def save_related(self, request, form, formsets, change):
        agent_actions.save_configuration(
            form.instance, actor=Actor.of_agent(request.user), related=self.inline_relations(),
            save_related=lambda: super(AuditedAdmin, self).save_related(request, form, formsets, change))

    def delete_model(self, request, obj):
        agent_actions.delete_configuration([obj], actor=Actor.of_agent(request.user), related=self.inline_relations())

    def delete_queryset(self, request, queryset):
        agent_actions.delete_configuration(list(queryset), actor=Actor.of_agent(request.user),
                                           related=self.inline_relations())


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records that change only through their app's actions (with their audit events): the admin shows them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ConfigurationEvent)
class ConfigurationEventAdmin(ReadOnlyAdmin):
    """Who changed which part of the configuration, when, and what it was before."""

    list_display = ("at", "actor_label", "action", "model", "object_label")
    list_filter = ("action", "model")
    search_fields = ("object_label", "actor_label")


@admin.register(Agent)
class AgentAdmin(UserAdmin):
    """Agents are created and changed through caredesk.core.actions, each change with its AgentEvent: the
    admin hands the fields that changed to the actions and saves nothing itself. Roles are the permissions
    (core/roles.py); an agent who leaves is deactivated, never deleted, so their history stays."""

    list_display = ("username", "first_name", "last_name", "email", "presence", "is_active")
    list_filter = ("groups", "presence", "is_active")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        ("Access", {"fields": ("is_active", "groups")}),
        ("Work", {"fields": ("presence", "skills")}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    filter_horizontal = ("groups", "skills")
    change_password_form = AuditedPasswordChangeForm

    def user_change_password(self, request, id, form_url=""):
        token = _admin_actor.set(Actor.of_agent(request.user))
        try:
            return super().user_change_password(request, id, form_url)
        finally:
            _admin_actor.reset(token)

    def get_readonly_fields(self, request, obj=None):
        return ("username", "last_login", "date_joined") if obj else ()

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            kwargs["queryset"] = Group.objects.filter(name__in=roles.ALL_ROLES)
            kwargs["label"] = "Roles"
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        actor = Actor.of_agent(request.user)
        data = form.cleaned_data
        if not change:
            # The creation form checked the password against the same validators create_agent would.
            created = agent_actions.create_agent(username=data["username"], password=data.get("password1") or None,
                                           check_password=False, actor=actor)
            obj.pk, obj.is_staff, obj.is_superuser = created.pk, created.is_staff, created.is_superuser
            return
        agent = Agent.objects.get(pk=obj.pk)  # `obj` holds the form's values, not yet saved
        details = {name: data[name] for name in agent_actions.AGENT_DETAILS if name in form.changed_data}
        if details:
            agent_actions.update_agent(agent, actor=actor, **details)
        if "presence" in form.changed_data:
            agent_actions.set_presence(agent, data["presence"], actor=actor)
        if "is_active" in form.changed_data:
            (agent_actions.activate_agent if data["is_active"] else agent_actions.deactivate_agent)(agent, actor=actor)

    def save_related(self, request, form, formsets, change):
        if not change:
            return  # the creation form has no roles or skills; the new agent has the Agent role
        actor = Actor.of_agent(request.user)
        if "groups" in form.changed_data:
            agent_actions.set_roles(form.instance, [role.name for role in form.cleaned_data["groups"]], actor=actor)
        if "skills" in form.changed_data:
            agent_actions.set_skills(form.instance, [skill.name for skill in form.cleaned_data["skills"]], actor=actor)


@admin.register(Skill)
class SkillAdmin(AuditedAdmin):
    search_fields = ("name",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created and revoked through the actions (each with its audit event), never edited."""

    list_display = ("name", "agent", "lookup", "created_at", "revoked_at")
    list_filter = ("revoked_at",)
    fields = ("agent", "name", "lookup", "created_at", "revoked_at")
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        return ("agent", "name", "lookup", "created_at", "revoked_at") if obj else ("lookup", "created_at", "revoked_at")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "agent":  # a deactivated agent gets no token (create_api_token refuses it)
            kwargs["queryset"] = Agent.objects.filter(is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            return  # every field of an existing token is read-only
        row, token = agent_actions.create_api_token(obj.agent, obj.name, actor=Actor.of_agent(request.user))
        obj.pk = row.pk
        self.message_user(request, f"New API token for {obj.agent}: {token}  (copy it now; it is not shown again)")

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        for token in queryset.filter(revoked_at__isnull=True):
            agent_actions.revoke_api_token(token, actor=Actor.of_agent(request.user))
        self.message_user(request, "Revoked.")


def _configurers_only(request) -> bool:
    """The admin site is for configuration, and only the Admin role configures."""
    user = request.user
    return user.is_active and user.is_authenticated and user.is_staff and user.can(roles.CONFIGURE)


admin.site.has_permission = _configurers_only
admin.site.site_header = "caredesk configuration"
admin.site.site_title = "caredesk"

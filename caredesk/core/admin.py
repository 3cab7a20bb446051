from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from caredesk.core.audit import Actor
from caredesk.core.models import Agent, ApiToken, Skill


@admin.register(Agent)
class AgentAdmin(UserAdmin):
    list_display = ("username", "first_name", "last_name", "email", "presence", "is_active")
    list_filter = ("groups", "presence", "is_active")
    fieldsets = UserAdmin.fieldsets + (("Work", {"fields": ("presence", "skills")}),)
    filter_horizontal = ("groups", "user_permissions", "skills")


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
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

    def save_model(self, request, obj, form, change):
        if change:
            return  # every field of an existing token is read-only
        from caredesk.core.actions import create_api_token

        row, token = create_api_token(obj.agent, obj.name, actor=Actor.of_agent(request.user))
        obj.pk = row.pk
        self.message_user(request, f"New API token for {obj.agent}: {token}  (copy it now; it is not shown again)")

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        from caredesk.core.actions import revoke_api_token

        for token in queryset.filter(revoked_at__isnull=True):
            revoke_api_token(token, actor=Actor.of_agent(request.user))
        self.message_user(request, "Revoked.")


def _configurers_only(request) -> bool:
    """The admin site is for configuration, and only the Admin role configures."""
    from caredesk.core.roles import CONFIGURE

    user = request.user
    return user.is_active and user.is_authenticated and user.is_staff and user.can(CONFIGURE)


admin.site.has_permission = _configurers_only
admin.site.site_header = "caredesk configuration"
admin.site.site_title = "caredesk"

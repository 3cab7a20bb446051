from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

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
    list_display = ("name", "agent", "lookup", "created_at", "revoked_at")
    readonly_fields = ("lookup", "digest", "created_at")
    fields = ("agent", "name", "lookup", "digest", "created_at", "revoked_at")

    def save_model(self, request, obj, form, change):
        # A token made in the admin is created through the action so its text can be shown once.
        if change:
            super().save_model(request, obj, form, change)
            return
        from caredesk.core.actions import create_api_token

        row, token = create_api_token(obj.agent, obj.name)
        obj.pk = row.pk
        self.message_user(request, f"New API token for {obj.agent}: {token}  (copy it now; it is not shown again)")


def _configurers_only(request) -> bool:
    """The admin site is for configuration, and only the Admin role configures."""
    from caredesk.core.roles import CONFIGURE

    user = request.user
    return user.is_active and user.is_authenticated and user.is_staff and user.can(CONFIGURE)


admin.site.has_permission = _configurers_only
admin.site.site_header = "caredesk configuration"
admin.site.site_title = "caredesk"

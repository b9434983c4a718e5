"""Read-only views of the tree for operations staff; the tree changes only through orgs.services."""

from django.contrib import admin

from gonghui.core.admin import ReadOnlyAdmin

from .models import Org, OrgRequest, RoleAssignment


@admin.register(Org)
class OrgAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "code", "uscc", "division_code", "depth", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code", "uscc", "name_pinyin"]


@admin.register(OrgRequest)
class OrgRequestAdmin(ReadOnlyAdmin):
    list_display = ["name", "parent", "status", "requested_at", "decided_at"]
    list_filter = ["status"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ReadOnlyAdmin):
    list_display = ["user", "org", "role", "granted_at"]
    list_filter = ["role"]
    search_fields = ["user__real_name", "user__mobile", "org__name"]

"""Read-only views of the tree for operations staff; the tree changes only through orgs.services."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from gonghui.accounts.models import User
from gonghui.core.admin import ReadOnlyAdmin
from gonghui.core.errors import ServiceError
from gonghui.core.fields import blind_q
from gonghui.core.identifiers import clean_mobile

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
    # The mobile number is encrypted: a whole number is found through its blind index, never by substring.
    search_fields = ["user__real_name", "org__name"]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        try:
            mobile = clean_mobile(search_term)
        except ServiceError:
            return results, may_have_duplicates
        users = User.objects.filter(blind_q(User, "mobile", mobile))
        return results | queryset.filter(user__in=users), may_have_duplicates

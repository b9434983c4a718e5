from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from gonghui.core.admin import ReadOnlyAdmin
from gonghui.core.errors import ServiceError
from gonghui.core.fields import blind_q
from gonghui.core.identifiers import clean_mobile

from .models import ApiToken, User


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    """The mobile number is encrypted: it is shown masked, and searched only as a whole number through its
    blind index (a substring search on ciphertext is impossible, and would leak through timing if it were)."""

    list_display = ["real_name", "masked_mobile", "is_active", "date_joined"]
    search_fields = ["real_name"]
    search_help_text = _("A real name, or a whole mobile number.")
    exclude = ["password", "mobile", "mobile_index"]
    readonly_fields = ["masked_mobile"]

    @admin.display(description=_("mobile number"))
    def masked_mobile(self, obj: User) -> str:
        return obj.masked_mobile

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[User], search_term: str
    ) -> tuple[QuerySet[User], bool]:
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        try:
            mobile = clean_mobile(search_term)
        except ServiceError:
            return results, may_have_duplicates
        return results | queryset.filter(blind_q(User, "mobile", mobile)), may_have_duplicates

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_fields(request, obj))
        # The masked number first, where the login name is expected.
        fields.remove("masked_mobile")
        return ["masked_mobile", *fields]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["prefix", "name", "user", "access", "org", "expires_at", "revoked_at"]
    exclude = ["key_hash"]

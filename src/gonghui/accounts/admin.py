from django.contrib import admin

from gonghui.core.admin import ReadOnlyAdmin

from .models import ApiToken, User


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = ["real_name", "masked_mobile", "is_active", "date_joined"]
    search_fields = ["real_name", "mobile"]
    exclude = ["password"]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["prefix", "name", "user", "access", "org", "expires_at", "revoked_at"]
    exclude = ["key_hash"]

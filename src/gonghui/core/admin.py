"""Django admin is for operations staff only. It shows records; any change of state goes through services.

The holiday schedule is the exception that lives here on purpose: an operations administrator enters the
State Council's schedule for a year the bundled calendar does not know yet, then marks the year official.
"""

from django.contrib import admin

from .models import AuditArchive, AuditRecord, ScheduledJob, ScheduleYear, WorkdayOverride


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(admin.ModelAdmin):
    list_display = ["day", "is_workday", "name"]
    list_filter = ["is_workday"]
    date_hierarchy = "day"


@admin.register(ScheduleYear)
class ScheduleYearAdmin(admin.ModelAdmin):
    list_display = ["year", "entered_at", "note"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(AuditRecord)
class AuditRecordAdmin(ReadOnlyAdmin):
    list_display = ["at", "action", "actor_label", "object_repr", "result", "ip"]
    list_filter = ["result", "action"]
    search_fields = ["action", "actor_label", "object_repr", "object_id"]
    date_hierarchy = "at"


@admin.register(ScheduledJob)
class ScheduledJobAdmin(ReadOnlyAdmin):
    list_display = ["name", "last_enqueued_at"]


@admin.register(AuditArchive)
class AuditArchiveAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "cutoff", "first_seq", "last_seq", "record_count", "file_name"]

"""The console pages of the aid app; included from console/urls.py, names live in the "console" namespace."""

from django.urls import path

from .views import aid

urlpatterns: list = [
    path("", aid.home, name="aid_home"),
    path("applications/", aid.application_list, name="aid_applications"),
    path("applications/<int:application_id>/", aid.application_detail, name="aid_application"),
    path(
        "applications/<int:application_id>/documents/<int:document_id>/",
        aid.application_document,
        name="aid_document",
    ),
    path(
        "applications/<int:application_id>/<str:action>/",
        aid.application_action,
        name="aid_application_action",
    ),
    path("objections/<int:objection_id>/resolve/", aid.objection_resolve, name="aid_objection_resolve"),
    path("files/", aid.file_list, name="aid_files"),
    path("files/new/", aid.file_new, name="aid_file_new"),
    path("files/<int:file_id>/", aid.file_detail, name="aid_file"),
    path("files/<int:file_id>/<str:action>/", aid.file_action, name="aid_file_action"),
    path("announcements/", aid.announcements, name="aid_announcements"),
    path("payments/", aid.payments, name="aid_payments"),
    path("stats/", aid.stats, name="aid_stats"),
    path("rules/", aid.rules, name="aid_rules"),
]

"""The portal pages of the aid app; included from portal/urls.py, names live in the "portal" namespace."""

from django.urls import path

from .views import aid

urlpatterns: list = [
    path("", aid.aid_home, name="aid"),
    path("apply/", aid.aid_apply, name="aid_apply"),
    path("applications/<int:application_id>/", aid.aid_application, name="aid_application"),
    path("announcements/<int:application_id>/", aid.aid_announcement, name="aid_announcement"),
]

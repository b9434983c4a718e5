"""The console pages of the recuperation app; included from console/urls.py, names live in the "console" namespace."""

from django.urls import path

from .views import recuperation

urlpatterns: list = [
    path("", recuperation.batch_list, name="recuperation_list"),
    path("stats/", recuperation.stats, name="recuperation_stats"),
    path("new/", recuperation.batch_new, name="recuperation_batch_new"),
    path("sites/", recuperation.sites, name="recuperation_sites"),
    path("sites/<int:site_id>/active/", recuperation.site_active, name="recuperation_site_active"),
    path("policy/", recuperation.policy, name="recuperation_policy"),
    path("designations/", recuperation.designations, name="recuperation_designations"),
    path(
        "designations/<int:designation_id>/remove/",
        recuperation.designation_remove,
        name="recuperation_designation_remove",
    ),
    path("<int:batch_id>/", recuperation.batch_detail, name="recuperation_batch"),
    path("<int:batch_id>/publish/", recuperation.batch_publish, name="recuperation_publish"),
    path("<int:batch_id>/cancel/", recuperation.batch_cancel, name="recuperation_cancel"),
    path("<int:batch_id>/quota/", recuperation.quota_set, name="recuperation_quota_set"),
    path("quota/<int:quota_id>/allocate/", recuperation.quota_allocate, name="recuperation_allocate"),
    path(
        "application/<int:application_id>/withdraw/",
        recuperation.application_withdraw,
        name="recuperation_withdraw",
    ),
    path(
        "application/<int:application_id>/attendance/",
        recuperation.application_attendance,
        name="recuperation_attendance",
    ),
]

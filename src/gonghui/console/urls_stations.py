"""The console pages of the stations app; included from console/urls.py, names live in the "console" namespace."""

from django.urls import path

from .views import stations

urlpatterns: list = [
    path("", stations.station_list, name="station_list"),
    path("new/", stations.station_new, name="station_new"),
    path("stats/", stations.station_stats, name="station_stats"),
    path("rules/", stations.station_policy, name="station_policy"),
    path("<int:station_id>/", stations.station_detail, name="station_detail"),
    path("<int:station_id>/edit/", stations.station_edit, name="station_edit"),
    path("<int:station_id>/managers/", stations.station_manager_add, name="station_manager_add"),
    path(
        "<int:station_id>/managers/<int:user_id>/remove/",
        stations.station_manager_remove,
        name="station_manager_remove",
    ),
    path("<int:station_id>/photos/", stations.station_photo_add, name="station_photo_add"),
    path("<int:station_id>/photos/<int:photo_id>/", stations.station_photo, name="station_photo"),
    path(
        "<int:station_id>/photos/<int:photo_id>/remove/",
        stations.station_photo_remove,
        name="station_photo_remove",
    ),
    path("<int:station_id>/walkins/", stations.station_walkins, name="station_walkins"),
    path("<int:station_id>/token/", stations.station_token_renew, name="station_token_renew"),
    path("<int:station_id>/poster.pdf", stations.station_poster, name="station_poster"),
]

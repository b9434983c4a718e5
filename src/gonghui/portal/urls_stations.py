"""The portal pages of the stations app; included from portal/urls.py, names live in the "portal" namespace."""

from django.urls import path

from .views import stations

urlpatterns: list = [
    path("", stations.station_find, name="stations"),
    path("mine/", stations.station_mine, name="station_mine"),
    path("c/<str:token>/", stations.station_checkin, name="station_checkin"),
    path("<int:station_id>/", stations.station_detail, name="station_detail"),
    path("<int:station_id>/photos/<int:photo_id>/", stations.station_photo, name="station_photo"),
    path("<int:station_id>/manage/", stations.station_manage, name="station_manage"),
    path("<int:station_id>/manage/photos/", stations.station_manage_photo, name="station_manage_photo"),
    path(
        "<int:station_id>/manage/photos/<int:photo_id>/remove/",
        stations.station_manage_photo_remove,
        name="station_manage_photo_remove",
    ),
    path("<int:station_id>/manage/walkins/", stations.station_manage_walkins, name="station_manage_walkins"),
    path("<int:station_id>/manage/poster.pdf", stations.station_manage_poster, name="station_manage_poster"),
]

"""The portal pages of the recuperation app; included from portal/urls.py, names live in the "portal" namespace."""

from django.urls import path

from .views import recuperation

urlpatterns: list = [
    path("", recuperation.home, name="recuperation"),
    path("<int:batch_id>/", recuperation.batch, name="recuperation_batch"),
    path("<int:batch_id>/apply/", recuperation.apply, name="recuperation_apply"),
    path("mine/<int:application_id>/", recuperation.application, name="recuperation_application"),
    path("mine/<int:application_id>/cancel/", recuperation.cancel, name="recuperation_cancel"),
]

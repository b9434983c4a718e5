"""The console pages of the stations app; included from console/urls.py, names live in the "console" namespace."""

from django.urls import path  # noqa: F401

urlpatterns: list = []

"""The portal pages of the aid app; included from portal/urls.py, names live in the "portal" namespace."""

from django.urls import path  # noqa: F401

urlpatterns: list = []

"""The portal pages of the benefits app; included from portal/urls.py, names live in the "portal" namespace."""

from django.urls import path  # noqa: F401

urlpatterns: list = []

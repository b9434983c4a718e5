"""The portal pages of the suggestions app; included from portal/urls.py, names live in the "portal" namespace."""

from django.urls import path

from .views import suggestions as v

urlpatterns: list = [
    path("", v.suggestions_home, name="suggestions"),
    path("new/", v.suggestion_new, name="suggestion_new"),
    path("adopted/", v.suggestions_adopted, name="suggestions_adopted"),
    path("<int:suggestion_id>/", v.suggestion_detail, name="suggestion"),
]

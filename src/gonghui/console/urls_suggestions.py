"""The console pages of the suggestions app; included from console/urls.py, names live in the "console" namespace."""

from django.urls import path

from .views import suggestions as v

urlpatterns: list = [
    path("", v.suggestion_list, name="suggestions"),
    path("annual/", v.suggestion_annual, name="suggestions_annual"),
    path("stats/", v.suggestion_stats, name="suggestions_stats"),
    path("<int:suggestion_id>/", v.suggestion_detail, name="suggestion"),
    path("<int:suggestion_id>/evaluate/", v.suggestion_evaluate, name="suggestion_evaluate"),
    path("<int:suggestion_id>/note/", v.suggestion_note, name="suggestion_note"),
    path("<int:suggestion_id>/decide/", v.suggestion_decide, name="suggestion_decide"),
    path("<int:suggestion_id>/implement/", v.suggestion_implement, name="suggestion_implement"),
    path("<int:suggestion_id>/reward/", v.suggestion_reward, name="suggestion_reward"),
]

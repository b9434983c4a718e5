"""The portal pages of the congress app; included from portal/urls.py, names live in the "portal" namespace."""

from django.urls import path

from .views import congress

urlpatterns: list = [
    path("", congress.congress_home, name="congress_home"),
    path("meetings/<int:meeting_id>/", congress.congress_meeting, name="congress_meeting"),
    path(
        "meetings/<int:meeting_id>/documents/<int:document_id>/",
        congress.congress_document,
        name="congress_document",
    ),
    path("checkin/<str:token>/", congress.congress_checkin, name="congress_checkin"),
    path("polls/<int:poll_id>/", congress.congress_vote, name="congress_vote"),
    path("receipt/", congress.congress_receipt, name="congress_receipt"),
]

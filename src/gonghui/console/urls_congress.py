"""The console pages of the congress app; included from console/urls.py, names live in the "console" namespace."""

from django.urls import path

from .views import congress, congress_meetings, congress_polls

urlpatterns: list = [
    path("", congress.congress_list, name="congress_list"),
    path("new/", congress.congress_new, name="congress_new"),
    path("<int:congress_id>/", congress.congress_detail, name="congress_detail"),
    path("<int:congress_id>/figures/", congress.congress_figures, name="congress_figures"),
    path("<int:congress_id>/constituencies/", congress.constituency_add, name="constituency_add"),
    path("<int:congress_id>/delegates/new/", congress.delegate_add, name="delegate_add"),
    path("delegates/<int:delegate_id>/", congress.delegate_detail, name="delegate_detail"),
    path("delegates/<int:delegate_id>/recall/", congress.delegate_recall, name="delegate_recall"),
    path("delegates/<int:delegate_id>/end/", congress.delegate_end, name="delegate_end"),
    path("delegates/<int:delegate_id>/replace/", congress.delegate_replace, name="delegate_replace"),
    path("<int:congress_id>/meetings/new/", congress_meetings.meeting_new, name="meeting_new"),
    path("meetings/<int:meeting_id>/", congress_meetings.meeting_detail, name="meeting_detail"),
    path("meetings/<int:meeting_id>/open/", congress_meetings.meeting_open, name="meeting_open"),
    path("meetings/<int:meeting_id>/close/", congress_meetings.meeting_close, name="meeting_close"),
    path("meetings/<int:meeting_id>/item/", congress_meetings.meeting_item, name="meeting_item"),
    path("meetings/<int:meeting_id>/agenda/", congress_meetings.agenda_add, name="agenda_add"),
    path(
        "meetings/<int:meeting_id>/documents/",
        congress_meetings.meeting_document_add,
        name="meeting_document_add",
    ),
    path(
        "meetings/<int:meeting_id>/documents/<int:document_id>/",
        congress_meetings.meeting_document,
        name="meeting_document",
    ),
    path("meetings/<int:meeting_id>/checkin/", congress_meetings.attendance_record, name="attendance_record"),
    path("meetings/<int:meeting_id>/screen/", congress_meetings.congress_screen, name="congress_screen"),
    path(
        "meetings/<int:meeting_id>/screen/state/",
        congress_meetings.congress_screen_state,
        name="congress_screen_state",
    ),
    path("meetings/<int:meeting_id>/polls/new/", congress_polls.poll_new, name="poll_new"),
    path("polls/<int:poll_id>/", congress_polls.poll_detail, name="poll_detail"),
    path("polls/<int:poll_id>/open/", congress_polls.poll_open, name="poll_open"),
    path("polls/<int:poll_id>/close/", congress_polls.poll_close, name="poll_close"),
    path("polls/<int:poll_id>/count/", congress_polls.poll_count, name="poll_count"),
    path("polls/<int:poll_id>/publish/", congress_polls.poll_publish, name="poll_publish"),
    path("polls/<int:poll_id>/next-round/", congress_polls.poll_next_round, name="poll_next_round"),
    path("polls/<int:poll_id>/paper/issue/", congress_polls.paper_issue, name="paper_issue"),
    path("polls/<int:poll_id>/paper/", congress_polls.paper_entry, name="paper_entry"),
]

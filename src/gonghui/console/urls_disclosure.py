"""The console pages of the disclosure app; included from console/urls.py, names live in the "console" namespace."""

from django.urls import path

from .views import disclosure

urlpatterns: list = [
    path("", disclosure.item_list, name="disclosure_list"),
    path("plan/", disclosure.plan, name="disclosure_plan"),
    path("plan/<int:entry_id>/", disclosure.plan_entry, name="disclosure_plan_entry"),
    path("new/", disclosure.item_new, name="disclosure_new"),
    path("questions/", disclosure.question_queue, name="disclosure_questions"),
    path("questions/<int:question_id>/answer/", disclosure.question_answer, name="disclosure_answer"),
    path("<int:item_id>/", disclosure.item_detail, name="disclosure_item"),
    path("<int:item_id>/edit/", disclosure.item_edit, name="disclosure_edit"),
    path("<int:item_id>/publish/", disclosure.item_publish, name="disclosure_publish"),
    path("<int:item_id>/withdraw/", disclosure.item_withdraw, name="disclosure_withdraw"),
    path("<int:item_id>/files/", disclosure.item_file_add, name="disclosure_file_add"),
    path("<int:item_id>/files/<int:attachment_id>/", disclosure.item_file, name="disclosure_file"),
]

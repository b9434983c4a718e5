"""The portal pages of the disclosure app; included from portal/urls.py, names live in the "portal" namespace."""

from django.urls import path

from .views import disclosure

urlpatterns: list = [
    path("", disclosure.disclosure_home, name="disclosure"),
    path("<int:item_id>/", disclosure.disclosure_item, name="disclosure_item"),
    path("<int:item_id>/acknowledge/", disclosure.disclosure_ack, name="disclosure_ack"),
    path("<int:item_id>/ask/", disclosure.disclosure_ask, name="disclosure_ask"),
    path("<int:item_id>/files/<int:attachment_id>/", disclosure.disclosure_file, name="disclosure_file"),
]

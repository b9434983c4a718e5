"""The console pages of the benefits app; included from console/urls.py, names live in the "console" namespace."""

from django.urls import path

from .views import benefits

urlpatterns: list = [
    path("", benefits.offer_list, name="benefits_list"),
    path("new/", benefits.offer_new, name="benefits_new"),
    path("stats/", benefits.stats, name="benefits_stats"),
    path("policy/", benefits.policy, name="benefits_policy"),
    path("checkin/<str:token>/", benefits.checkin_ticket, name="benefits_checkin"),
    path("<int:offer_id>/", benefits.offer_detail, name="benefits_offer"),
    path("<int:offer_id>/edit/", benefits.offer_edit, name="benefits_edit"),
    path("<int:offer_id>/publish/", benefits.offer_publish, name="benefits_publish"),
    path("<int:offer_id>/close/", benefits.offer_close, name="benefits_close"),
    path("<int:offer_id>/draw/", benefits.offer_draw, name="benefits_draw"),
    path("<int:offer_id>/cancel/", benefits.offer_cancel, name="benefits_cancel"),
    path("<int:offer_id>/merchants/", benefits.merchant_add, name="benefits_merchant_add"),
    path("<int:offer_id>/desk/", benefits.checkin_desk, name="benefits_desk"),
]

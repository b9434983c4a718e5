"""The portal pages of the benefits app; included from portal/urls.py, names live in the "portal" namespace."""

from django.urls import path

from .views import benefits

urlpatterns: list = [
    path("", benefits.benefits_home, name="benefits"),
    path("<int:offer_id>/", benefits.benefits_offer, name="benefits_offer"),
    path("<int:offer_id>/apply/", benefits.benefits_apply, name="benefits_apply"),
    path("<int:offer_id>/lottery/", benefits.benefits_lottery, name="benefits_lottery"),
    path("<int:offer_id>/lottery.json", benefits.benefits_lottery_json, name="benefits_lottery_json"),
    path("tickets/<int:entry_id>/", benefits.benefits_ticket, name="benefits_ticket"),
    path("tickets/<int:entry_id>/cancel/", benefits.benefits_cancel, name="benefits_cancel"),
    path("merchant/", benefits.benefits_merchant, name="benefits_merchant"),
    path("redeem/<str:code>/", benefits.benefits_redeem, name="benefits_redeem"),
]

"""The portal pages of the proposals app; included from portal/urls.py, names live in the "portal" namespace."""

from django.urls import path

from .views import proposals as v

urlpatterns: list = [
    path("", v.proposals_home, name="proposals"),
    path("new/", v.proposal_new, name="proposal_new"),
    path("reports/<int:report_id>/", v.proposal_report, name="proposal_report"),
    path("<int:proposal_id>/", v.proposal_detail, name="proposal"),
    path("<int:proposal_id>/cosign/", v.proposal_cosign, name="proposal_cosign"),
    path("<int:proposal_id>/withdraw/", v.proposal_withdraw, name="proposal_withdraw"),
    path("<int:proposal_id>/answer/", v.proposal_answer, name="proposal_answer"),
    path("<int:proposal_id>/rate/", v.proposal_rate, name="proposal_rate"),
]

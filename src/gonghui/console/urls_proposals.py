"""The console pages of the proposals app; included from console/urls.py, names live in the "console" namespace."""

from django.urls import path

from .views import proposals as v

urlpatterns: list = [
    path("", v.proposal_list, name="proposals"),
    path("departments/", v.department_list, name="proposal_departments"),
    path("departments/<int:department_id>/", v.department_edit, name="proposal_department_edit"),
    path("record/", v.proposal_record, name="proposal_record"),
    path("report/", v.proposal_report, name="proposal_report"),
    path("report/publish/", v.proposal_report_publish, name="proposal_report_publish"),
    path("<int:proposal_id>/", v.proposal_detail, name="proposal"),
    path("<int:proposal_id>/decide/", v.proposal_decide, name="proposal_decide"),
    path("<int:proposal_id>/assign/", v.proposal_assign, name="proposal_assign"),
    path("<int:proposal_id>/reassign/", v.proposal_reassign, name="proposal_reassign"),
    path("<int:proposal_id>/answer/", v.proposal_answer, name="proposal_answer"),
    path("<int:proposal_id>/cosign-record/", v.proposal_cosign_record, name="proposal_cosign_record"),
    path("<int:proposal_id>/rate-record/", v.proposal_rate_record, name="proposal_rate_record"),
]

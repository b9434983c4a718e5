"""The console pages of the contracts app; included from console/urls.py, names live in the "console" namespace."""

from django.urls import path

from .views import contracts

urlpatterns: list = [
    path("", contracts.contract_list, name="contract_list"),
    path("new/", contracts.contract_new, name="contract_new"),
    path("coverage/", contracts.coverage, name="contract_coverage"),
    path("policy/", contracts.policy, name="contract_policy"),
    path("<int:contract_id>/", contracts.contract_detail, name="contract"),
    path("<int:contract_id>/edit/", contracts.contract_edit, name="contract_edit"),
    path("<int:contract_id>/round/", contracts.contract_round, name="contract_round"),
    path("<int:contract_id>/sign/", contracts.contract_sign, name="contract_sign"),
    path("<int:contract_id>/step/<str:action>/", contracts.contract_step, name="contract_step"),
    path("<int:contract_id>/object/", contracts.contract_object, name="contract_object"),
    path("<int:contract_id>/reopen/", contracts.contract_reopen, name="contract_reopen"),
    path("<int:contract_id>/renew/", contracts.contract_renew, name="contract_renew"),
    path("<int:contract_id>/documents/", contracts.contract_document_add, name="contract_document_add"),
    path(
        "<int:contract_id>/documents/<int:document_id>/",
        contracts.contract_document,
        name="contract_document",
    ),
    path("<int:contract_id>/summary.pdf", contracts.contract_pdf, name="contract_pdf"),
]

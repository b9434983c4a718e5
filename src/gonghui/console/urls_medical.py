"""The console pages of the medical app; included from console/urls.py, names live in the "console" namespace."""

from django.urls import path

from .views import medical

urlpatterns: list = [
    path("", medical.claim_list, name="medical_claims"),
    path("claims/new/", medical.claim_new, name="medical_claim_new"),
    path("claims/<int:claim_id>/", medical.claim_detail, name="medical_claim"),
    path("claims/<int:claim_id>/approve/", medical.claim_approve, name="medical_claim_approve"),
    path("claims/<int:claim_id>/reject/", medical.claim_reject, name="medical_claim_reject"),
    path("claims/<int:claim_id>/ask/", medical.claim_ask, name="medical_claim_ask"),
    path("claims/<int:claim_id>/pay/", medical.claim_pay, name="medical_claim_pay"),
    path("documents/<int:document_id>/", medical.claim_document, name="medical_document"),
    path("enrolments/", medical.enrolments, name="medical_enrolments"),
    path("plan/", medical.plan, name="medical_plan"),
    path("stats/", medical.stats, name="medical_stats"),
]

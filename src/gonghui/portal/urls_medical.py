"""The portal pages of the medical app; included from portal/urls.py, names live in the "portal" namespace."""

from django.urls import path

from .views import medical

urlpatterns: list = [
    path("", medical.medical_home, name="medical"),
    path("enrol/", medical.medical_enrol, name="medical_enrol"),
    path("claims/new/", medical.medical_claim_new, name="medical_claim_new"),
    path("claims/<int:claim_id>/", medical.medical_claim, name="medical_claim"),
    path(
        "claims/<int:claim_id>/documents/<int:document_id>/",
        medical.medical_document,
        name="medical_document",
    ),
]

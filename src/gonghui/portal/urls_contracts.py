"""The portal pages of the contracts app; included from portal/urls.py, names live in the "portal" namespace."""

from django.urls import path

from .views import contracts

urlpatterns: list = [
    path("", contracts.contracts_home, name="contracts"),
    path("<int:contract_id>/", contracts.contract_detail, name="contract"),
    path(
        "<int:contract_id>/documents/<int:document_id>/",
        contracts.contract_document,
        name="contract_document",
    ),
]

"""Member pages of collective contracts (集体合同, DOMAIN §3): the contracts in effect that cover my union (its
own, and regional or industry ones), with their term, parties, main terms and the contract text."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from gonghui.contracts import selectors, services
from gonghui.core.uploads import attachment_response
from gonghui.disclosure.selectors import member_union


@login_required
def contracts_home(request: HttpRequest) -> HttpResponse:
    found = member_union(user=request.user)
    return render(
        request,
        "portal/contracts/home.html",
        {
            "union": found[1] if found else None,
            "contracts": list(selectors.own_contracts(user=request.user)[:50]),
        },
    )


@login_required
def contract_detail(request: HttpRequest, contract_id: int) -> HttpResponse:
    contract = selectors.own_contract_get(user=request.user, contract_id=contract_id)
    return render(
        request,
        "portal/contracts/detail.html",
        {
            "c": contract,
            "documents": selectors.own_documents(contract=contract),
            "days_left": selectors.days_left(contract, timezone.localdate()),
        },
    )


@login_required
def contract_document(request: HttpRequest, contract_id: int, document_id: int) -> HttpResponse:
    doc = selectors.own_document_get(user=request.user, contract_id=contract_id, document_id=document_id)
    handle = services.document_open(actor=request.user, document=doc)
    return cast(
        HttpResponse, attachment_response(handle, filename=doc.original_name, content_type=doc.content_type)
    )

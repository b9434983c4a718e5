"""The printable cover and summary sheet of a collective contract (集体合同文本封面及摘要) as a PDF.

Rendered from an HTML template with WeasyPrint, as the mediation agreement is (rights/documents.py): A4, with
Noto Sans CJK SC embedded as a subset. Always in Chinese: it goes with the contract to the labour
administration. The full contract text is the uploaded document; this sheet summarises parties, term,
coverage, negotiation and the review dates.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from .models import CollectiveContract
from .selectors import contract_coverage, contract_rounds


def contract_summary_html(contract: CollectiveContract) -> str:
    context: dict[str, Any] = {
        "c": contract,
        "units": list(contract_coverage(contract=contract)[:200]),
        "rounds": list(contract_rounds(contract=contract)),
    }
    return render_to_string("contracts/contract_summary_pdf.html", context)


def contract_summary_pdf(contract: CollectiveContract) -> bytes:
    import weasyprint

    pdf = weasyprint.HTML(string=contract_summary_html(contract), base_url=None).write_pdf()
    assert pdf is not None
    return bytes(pdf)

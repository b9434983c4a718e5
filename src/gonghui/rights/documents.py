"""Printable documents of rights protection: the mediation agreement (劳动争议调解协议书) as a PDF.

Rendered from an HTML template with WeasyPrint, as the member card is (members/card.py): A4, the font Noto Sans
CJK SC (Debian's fonts-noto-cjk) embedded as a subset, so Chinese prints on any machine. The committee prints
it, both parties and the mediator sign the paper, and the signed dates are recorded (mediation_sign); a copy
printed after signing shows them.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from .models import Mediation
from .selectors_legal import mediation_parties


def mediation_agreement_html(mediation: Mediation) -> str:
    parties = mediation_parties(mediation=mediation)
    context: dict[str, Any] = {
        "m": mediation,
        "committee": mediation.committee,
        "workers": [p for p in parties if p.side == "worker"],
        "employers": [p for p in parties if p.side == "employer"],
        "mediator": mediation.mediator,
        "signed": {
            "worker": _local(mediation.worker_signed_at),
            "employer": _local(mediation.employer_signed_at),
            "mediator": _local(mediation.mediator_signed_at),
        },
        "in_effect": mediation.status == "agreed",
    }
    return render_to_string("rights/mediation_agreement_pdf.html", context)


def _local(at: Any) -> Any:
    return timezone.localdate(at) if at else None


def mediation_agreement_pdf(mediation: Mediation) -> bytes:
    """The agreement as PDF bytes."""
    import weasyprint

    pdf = weasyprint.HTML(string=mediation_agreement_html(mediation), base_url=None).write_pdf()
    assert pdf is not None
    return bytes(pdf)

"""The electronic member card (会员证): its QR code and a printable credit-card-sized PDF.

The QR code holds the absolute address of the public card check (portal:card_verify) with the card code of
members.selectors.card_code: the member number and a keyed checksum, so nobody can walk the check page
through member numbers. The check page shows only the masked name, the union and whether the card is valid.
"""

from __future__ import annotations

from typing import Any

import segno
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse

from .models import Member
from .selectors import card_code

# Error correction level M survives a scuffed or creased printed card and keeps the code small (version 4
# for our addresses), so it stays readable on a cheap phone's camera.
QR_ERROR = "m"


def card_verify_url(number: str, request: HttpRequest) -> str:
    """The absolute address of the public check page for a member number."""
    return request.build_absolute_uri(reverse("portal:card_verify", args=[card_code(number)]))


def qr_svg(data: str, *, scale: int = 4) -> str:
    """An inline <svg> (no XML declaration, sized by CSS through its viewBox) with a white background."""
    return str(
        segno.make(data, error=QR_ERROR).svg_inline(
            scale=scale, border=2, omitsize=True, svgclass="qr-svg", lineclass=None, light="#fff"
        )
    )


def qr_data_uri(data: str, *, scale: int = 4) -> str:
    """The same QR code as an SVG data: URI, for <img> (the CSP's img-src allows data:) and WeasyPrint."""
    svg = segno.make(data, error=QR_ERROR).svg_data_uri(scale=scale, border=2, light="#fff")
    return str(svg)


def card_qr_svg(number: str, request: HttpRequest) -> str:
    """The member card's QR code as inline SVG markup, encoding the card check address."""
    return qr_svg(card_verify_url(number, request))


def card_pdf(member: Member, verify_url: str) -> bytes:
    """A printable card, 85.6 x 54 mm (ISO/IEC 7810 ID-1, the size of a bank card), front only: union,
    name, member number, joined date and the QR code. The font is Noto Sans CJK SC (Debian's fonts-noto-cjk),
    embedded as a subset, so Chinese prints on any machine."""
    import weasyprint

    context: dict[str, Any] = {
        "member": member,
        "org_name": member.org.name,
        "qr": qr_data_uri(verify_url),
    }
    html = render_to_string("portal/members/card_pdf.html", context)
    pdf = weasyprint.HTML(string=html, base_url=None).write_pdf()
    assert pdf is not None
    return bytes(pdf)

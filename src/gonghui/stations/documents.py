"""The station's door poster: an A4 PDF with the station's name, code, hours, amenities and the check-in QR
code, rendered from an HTML template with WeasyPrint (as rights/documents.py does), the font Noto Sans CJK SC
embedded as a subset. The QR holds the portal's check-in address with the station's token."""

from __future__ import annotations

from typing import Any

import segno
from django.template.loader import render_to_string

from . import rules
from .models import Station

# Level Q: a poster on a door gets wet, faded and scratched; a larger code is no problem on A4.
QR_ERROR = "q"


def qr_svg(data: str) -> str:
    """Inline <svg> markup (sized by CSS through its viewBox) with a white background."""
    return str(
        segno.make(data, error=QR_ERROR).svg_inline(
            scale=4, border=2, omitsize=True, svgclass="qr-svg", lineclass=None, light="#fff"
        )
    )


def qr_data_uri(data: str) -> str:
    return str(segno.make(data, error=QR_ERROR).svg_data_uri(scale=8, border=2, light="#fff"))


def poster_html(station: Station, checkin_url: str) -> str:
    context: dict[str, Any] = {
        "station": station,
        "qr": qr_data_uri(checkin_url),
        "url": checkin_url,
        "week": rules.week_table(station.hours or {}),
        "always": bool((station.hours or {}).get("always")),
        "amenities": station.amenity_labels,
    }
    return render_to_string("stations/poster_pdf.html", context)


def poster_pdf(station: Station, checkin_url: str) -> bytes:
    import weasyprint

    pdf = weasyprint.HTML(string=poster_html(station, checkin_url), base_url=None).write_pdf()
    assert pdf is not None
    return bytes(pdf)

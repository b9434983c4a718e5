"""QR codes of member days: the ticket a winner shows at the door and the voucher a merchant scans. Each
holds the address of the page that handles it, so any phone camera opens it; the page itself checks who may
act on it."""

from __future__ import annotations

import segno


def qr_svg(data: str) -> str:
    """An inline <svg> QR code sized by CSS (level M, white border), as the member card draws it."""
    return str(
        segno.make(data, error="m").svg_inline(
            scale=4, border=2, omitsize=True, svgclass="qr-svg", lineclass=None, dark="#000", light="#fff"
        )
    )

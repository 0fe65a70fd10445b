"""The order's QR code as SVG: the same payload the printed ticket carries (the order id).

The ticket prints ``QrCode(order id)`` (printing/order_ticket.py), so the counter's scanner
reads the phone's screen and the paper alike. Drawn from the module matrix of ``qrcode``
(the library the ticket preview uses) as one SVG path: a few hundred bytes, no image library.
"""

from __future__ import annotations

import qrcode
import qrcode.constants

__all__ = ["qr_matrix", "qr_svg"]

QUIET_ZONE = 4  # modules of white around the code (the standard's minimum)


def qr_matrix(payload: str) -> list[list[bool]]:
    """The code's modules, without the quiet zone (error correction M, as on paper)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(payload)
    code.make(fit=True)
    return [list(row) for row in code.get_matrix()]


def qr_svg(payload: str) -> str:
    matrix = qr_matrix(payload)
    size = len(matrix) + 2 * QUIET_ZONE
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):  # one horizontal run of dark modules per path segment
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                runs.append(f"M{start + QUIET_ZONE} {y + QUIET_ZONE}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
            f'shape-rendering="crispEdges"><rect width="{size}" height="{size}" fill="#fff"/>'
            f'<path fill="#000" d="{"".join(runs)}"/></svg>')

"""The cancellation slip: what it says, and that it fits the paper."""

from __future__ import annotations

from typing import Any

import pytest

from printing.cancellation_slip import build_cancellation_slip
from printing.escpos_decode import decode_escpos
from printing.escpos_render import render_escpos
from printing.ticket import Cut, Text, char_width


@pytest.mark.parametrize("columns", [32, 42, 48])
@pytest.mark.parametrize(("status", "reason", "title"), [
    ("cancelled", None, "ANNULÉE PAR LE CLIENT"),
    ("rejected", "timeout", "REFUSÉE : DÉLAI DÉPASSÉ"),
])
def test_slip_says_what_happened_and_fits(order: dict[str, Any], columns: int, status: str,
                                          reason: str | None, title: str) -> None:
    order = {**order, "status": status, "reject_reason": reason}
    order["lines"][0]["name"] = "Croissant-aux-amandes-et-pistaches-caramélisées-maison"
    slip = build_cancellation_slip(order, columns)
    assert slip.kind == "cancellation" and slip.order_id == order["id"]
    texts = [b for b in slip.blocks if isinstance(b, Text)]
    for text in texts:
        assert len(text.text) * char_width(text.size) <= columns, text
    joined = " ".join(t.text for t in texts)
    assert "NE PAS PRÉPARER" in joined and f"N° {order['number']}" in joined
    assert " ".join(title.split()) in " ".join(joined.split())
    assert isinstance(slip.blocks[-1], Cut)
    decoded = decode_escpos(render_escpos(slip, "CP858", "default"))  # real bytes, cp858
    assert decoded.find("NE PAS PRÉPARER") is not None and decoded.cuts

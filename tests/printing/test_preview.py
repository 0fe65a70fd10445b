"""PNG preview of the same document the printer gets."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import qrcode
from PIL import Image, ImageChops

from printing import preview
from printing.kitchen_ticket import build_kitchen_ticket
from printing.order_ticket import build_ticket
from printing.ticket import QrCode, Size, Text, TicketDocument


def _doc(*blocks: Any, columns: int = 32) -> TicketDocument:
    return TicketDocument(kind="test", columns=columns, blocks=list(blocks))


def _ink_ratio(image: Image.Image) -> float:
    gray = image.convert("L")
    return sum(gray.histogram()[:128]) / (gray.width * gray.height)


@pytest.mark.parametrize(("columns", "width"), [(32, 384), (42, 576), (48, 576)])
def test_width_follows_the_paper(
    order: dict, shop: dict, columns: int, width: int, tmp_path: Path
) -> None:
    path = tmp_path / f"ticket-{columns}.png"
    image = preview.render_preview(build_ticket(order, shop, columns), path)
    assert image.width == width and image.height > 600
    with Image.open(path) as saved:
        assert saved.format == "PNG" and saved.size == image.size


def test_inverse_is_drawn_white_on_black() -> None:
    inverse = preview.render_preview(_doc(Text("X" * 32, inverse=True))).convert("L")
    normal = preview.render_preview(_doc(Text("X" * 32))).convert("L")
    band = inverse.crop(ImageChops.invert(inverse).getbbox())
    assert band.width == 384  # the black band spans the paper
    assert _ink_ratio(band) > 0.5
    assert _ink_ratio(normal.crop(ImageChops.invert(normal).getbbox())) < 0.5


def test_double_size_is_twice_as_tall_and_wide() -> None:
    normal = preview.render_preview(_doc(Text("N° 12")))
    double = preview.render_preview(_doc(Text("N° 12", size=Size.DOUBLE)))
    tall = preview.render_preview(_doc(Text("N° 12", size=Size.TALL)))
    line = 24  # 384 dots / 32 columns = 12-dot cells, 24 dots high
    assert double.height - normal.height == line and tall.height == double.height
    normal_box = ImageChops.invert(normal.convert("L")).getbbox()
    double_box = ImageChops.invert(double.convert("L")).getbbox()
    assert double_box[2] - double_box[0] >= 1.8 * (normal_box[2] - normal_box[0])


def test_qr_matches_the_order_id() -> None:
    image = preview.render_preview(_doc(QrCode("ord_7f3a9c", module_size=4))).convert("L")
    left, top, right, bottom = ImageChops.invert(image).getbbox()
    code = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data("ord_7f3a9c")
    code.make(fit=True)
    matrix = code.get_matrix()
    assert right - left == len(matrix) * 4
    for row, cells in enumerate(matrix):
        for col, dark in enumerate(cells):
            pixel = image.getpixel((left + col * 4 + 2, top + row * 4 + 2))
            assert (pixel < 128) == dark


def test_preview_shows_what_the_code_page_prints() -> None:
    as_printed = preview.render_preview(_doc(Text("œuf – c’est")))
    ascii_only = preview.render_preview(_doc(Text("oeuf - c'est")))
    assert ImageChops.difference(as_printed, ascii_only).getbbox() is None
    cp1252 = preview.render_preview(_doc(Text("œuf – c’est")), code_page="CP1252")
    assert ImageChops.difference(cp1252, ascii_only).getbbox() is not None


def test_accented_text_has_ink_above_the_letters() -> None:
    plain = preview.render_preview(_doc(Text("E")))
    accented = preview.render_preview(_doc(Text("É")))
    assert (
        ImageChops.invert(accented.convert("L")).getbbox()[1]
        < (ImageChops.invert(plain.convert("L")).getbbox()[1])
    )


@pytest.fixture
def without_ttf(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(preview, "find_monospace_font", lambda bold=False: None)
    preview._face.cache_clear()
    yield
    preview._face.cache_clear()


def test_falls_back_to_pillow_font(without_ttf: None, order: dict) -> None:
    image = preview.render_preview(build_kitchen_ticket(order, 32))
    assert image.width == 384 and 0.02 < _ink_ratio(image) < 0.6


def test_a_monospace_font_is_always_found(monkeypatch: pytest.MonkeyPatch) -> None:
    # Even with no system font, python-barcode (a python-escpos dependency) ships DejaVu.
    monkeypatch.setattr(preview, "_FONT_CANDIDATES", {False: (), True: ()})
    path = preview.find_monospace_font(bold=True)
    assert path is not None and path.endswith("DejaVuSansMono.ttf")

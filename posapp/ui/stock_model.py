"""Table model over StockService.products(): shown quantity = confirmed + pending."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from posapp.ui import fmt
from posapp.ui.i18n import tr

__all__ = ["StockModel", "quantity_text", "is_low"]

_Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("name", "barcode", "sku", "quantity", "threshold", "available")


def quantity_text(product: dict[str, Any]) -> str:
    text = str(product["quantity"])
    if product.get("pending_delta"):
        text += "  " + tr("({d:+d} waiting)").format(d=product["pending_delta"])
    return text


def is_low(product: dict[str, Any]) -> bool:
    return int(product["quantity"]) <= int(product.get("low_stock_threshold") or 0)


class StockModel(QAbstractTableModel):
    def __init__(self, set_available: Callable[[str, bool], bool]):
        super().__init__()
        self.products: list[dict[str, Any]] = []
        self._set_available = set_available  # returns False when the change was refused

    def headers(self) -> list[str]:
        return [tr("Product"), tr("Barcode"), tr("SKU"), tr("Stock"), tr("Alert at"),
                tr("Sold online")]

    def set_products(self, products: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self.products = products
        self.endResetModel()

    def row_of(self, sku: str) -> int | None:
        return next((i for i, p in enumerate(self.products) if p["sku"] == sku), None)

    # -- Qt model API -------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.products)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers()[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        product = self.products[index.row()]
        column = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return {
                "name": product["name"],
                "barcode": product.get("barcode") or "",
                "sku": product["sku"],
                "quantity": quantity_text(product),
                "threshold": str(product.get("low_stock_threshold") or 0),
                "available": tr("yes") if product["available"] else tr("SOLD OUT"),
            }[column]
        if role == Qt.ItemDataRole.CheckStateRole and column == "available":
            return Qt.CheckState.Checked if product["available"] else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ToolTipRole and column == "quantity":
            return tr("Confirmed by the marketplace: {c}; waiting to be sent: {p:+d}").format(
                c=product["confirmed_qty"], p=product["pending_delta"])
        if role == Qt.ItemDataRole.ToolTipRole and column == "name":
            return f"{product.get('category') or ''} · {fmt.euros(product['price_cents'])}"
        if role == Qt.ItemDataRole.BackgroundRole and is_low(product):
            return QBrush(QColor("#fdecea"))
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == "quantity" and is_low(product):
                return QBrush(QColor("#a93226"))
            if column == "available" and not product["available"]:
                return QBrush(QColor("#a93226"))
        if role == Qt.ItemDataRole.FontRole and column in ("quantity", "name"):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and column in ("quantity", "threshold"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid() and COLUMNS[index.column()] == "available":
            return base | Qt.ItemFlag.ItemIsUserCheckable
        return base

    def setData(self, index: _Index, value: Any,  # noqa: N802
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole or COLUMNS[index.column()] != "available":
            return False
        checked = Qt.CheckState(value) == Qt.CheckState.Checked
        return self._set_available(self.products[index.row()]["sku"], checked)

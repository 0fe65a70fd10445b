"""Catalogue and stock as CSV, the way French spreadsheets write it.

The marketplace owns the catalogue (name, price, barcode, category, active,
threshold): an import never changes those, it lists the differences as "not
applied". What the shop owns is applied, through the outbox like any change
at the counter:

- ``stock``: a counted quantity, turned into a ``stock.adjust`` (reason
  ``count``) against the quantity the counter showed when the file was read
  (the dry run), so online sales made meanwhile still count;
- ``disponible``: ``product.set_available``.

Products the marketplace does not know are rejected: the sync protocol has no
mutation to create one. ``read_plan`` is the dry run (reads only);
``apply_plan`` applies a plan in ONE transaction, and by default refuses to
apply anything when a row was rejected.

Reading accepts ``;``, ``,`` or tab separators (sniffed on the header line),
UTF-8 with or without BOM, UTF-16 with BOM, Windows-1252 (Excel's "CSV
(séparateur : point-virgule)"), quoted fields, decimal comma or dot, ``€``,
thousands separators, and French or English column names. Writing produces
what French Excel and LibreOffice open cleanly: ``;``, UTF-8 with BOM, CRLF,
decimal comma.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import l10n
from posapp.domain.stock import StockService
from posapp.store.db import Store

__all__ = [
    "APPLIED_FIELDS",
    "CATALOGUE_FIELDS",
    "ApplyResult",
    "CsvFormatError",
    "ImportPlan",
    "ImportRefused",
    "Issue",
    "NotApplied",
    "PlannedChange",
    "apply_plan",
    "export_catalogue",
    "format_price",
    "parse_price",
    "read_plan",
]

# Canonical fields, the French header written on export, and accepted spellings
# (compared without accents, case, spaces or punctuation).
_FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "sku": ("référence", ("sku", "reference", "ref", "codearticle", "article")),
    "name": ("nom", ("nom", "name", "libelle", "designation", "produit", "product")),
    "category": ("catégorie", ("categorie", "category", "rayon", "famille")),
    "price": ("prix", ("prix", "price", "prixttc", "prixeur", "prixunitaire", "unitprice")),
    "price_cents": ("prix (centimes)", ("pricecents", "prixcentimes", "prixencentimes")),
    "barcode": ("code-barres", ("codebarres", "codebarre", "barcode", "ean", "ean13", "gtin")),
    "stock": ("stock", ("stock", "quantite", "quantity", "qty", "qte", "comptage", "count")),
    "available": ("disponible", ("disponible", "available", "dispo")),
    "active": ("actif", ("actif", "active")),
    "threshold": ("seuil", ("seuil", "threshold", "lowstockthreshold", "seuilalerte",
                            "seuildalerte", "seuilstockbas", "stockmini", "stockminimum")),
}
_EXPORT = ("sku", "name", "category", "price", "barcode", "stock", "available", "active",
           "threshold")
APPLIED_FIELDS = ("stock", "available")
CATALOGUE_FIELDS = ("name", "category", "price", "barcode", "active", "threshold")

# French texts of the issues; the UI translates by ``code`` with the same parameters.
MESSAGES = {
    "unknown_sku": "produit inconnu de la place de marché",
    "missing_sku": "référence manquante",
    "duplicate_sku": "référence en double (déjà ligne {first})",
    "bad_quantity": "quantité illisible : « {value} » (nombre entier attendu)",
    "negative_quantity": "quantité négative : {value}",
    "bad_price": "prix illisible : « {value} »",
    "bad_boolean": "« {value} » pour {column} : oui ou non attendu",
    "bad_threshold": "seuil illisible : « {value} » (nombre entier attendu)",
    "too_many_fields": "{found} valeurs pour {expected} colonnes"
                       " (séparateur dans une valeur sans guillemets ?)",
    "ignored_column": "colonne « {column} » ignorée",
    "legacy_encoding": "fichier lu en Windows-1252 (pas en UTF-8)",
    "empty_file": "le fichier est vide",
    "no_sku_column": "aucune colonne « référence » (ou « sku ») dans l’en-tête",
    "unreadable": "le fichier n’est pas un texte lisible",
}
_TRUE = {"oui", "o", "yes", "y", "true", "vrai", "1", "x"}
_FALSE = {"non", "n", "no", "false", "faux", "0"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_SCIENTIFIC = re.compile(r"^\d+([.,]\d+)?e\+?\d+$", re.IGNORECASE)


@dataclass(frozen=True)
class Issue:
    """A rejected row (``line`` ≥ 2) or a remark on the whole file (``line`` 0)."""

    line: int
    sku: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return MESSAGES[self.code].format(**self.params)


@dataclass(frozen=True)
class NotApplied:
    """A catalogue value that differs from the marketplace's: reported, never applied."""

    line: int
    sku: str
    field: str
    current: str
    wanted: str


@dataclass(frozen=True)
class PlannedChange:
    line: int
    sku: str
    name: str
    seen: int | None = None  # quantity the counter showed at the dry run
    counted: int | None = None
    available_before: bool | None = None
    available_after: bool | None = None

    @property
    def delta(self) -> int:
        return 0 if self.counted is None or self.seen is None else self.counted - self.seen

    @property
    def changes_availability(self) -> bool:
        return self.available_after is not None and self.available_after != self.available_before


@dataclass
class ImportPlan:
    changes: list[PlannedChange] = field(default_factory=list)
    rejected: list[Issue] = field(default_factory=list)
    not_applied: list[NotApplied] = field(default_factory=list)
    notices: list[Issue] = field(default_factory=list)
    rows: int = 0
    unchanged: int = 0
    delimiter: str = ";"
    encoding: str = "utf-8"
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.rejected

    @property
    def stock_changes(self) -> int:
        return sum(1 for c in self.changes if c.delta)

    @property
    def availability_changes(self) -> int:
        return sum(1 for c in self.changes if c.changes_availability)


@dataclass(frozen=True)
class ApplyResult:
    stock_adjusted: int
    availability_changed: int

    @property
    def mutations(self) -> int:
        return self.stock_adjusted + self.availability_changed


class CsvFormatError(ValueError):
    """The file as a whole cannot be read; ``message`` is French, ``code`` for the UI."""

    def __init__(self, code: str, **params: Any):
        self.code, self.params = code, params
        super().__init__(MESSAGES[code].format(**params))

    @property
    def message(self) -> str:
        return str(self)


class ImportRefused(RuntimeError):
    """apply_plan refused: rows were rejected (nothing was applied) or the plan is spent."""


# -- values ------------------------------------------------------------------------------------
def _key(header: str) -> str:
    text = unicodedata.normalize("NFKD", header.strip().lower())
    return "".join(ch for ch in text if ch.isalnum() and not unicodedata.combining(ch))


def _number(text: str) -> str:
    """Digits with at most one decimal dot: "1 234,50 €" → "1234.50"; ValueError if not."""
    t = _SPACES.sub("", text)
    t = re.sub(r"(?<=\d)€(?=\d)", ",", t)  # "12€50", as written on French price tags
    t = t.replace("€", "").replace("EUR", "").replace("eur", "")
    if "," in t and "." in t:  # the rightmost one is the decimal separator
        thousands = "." if t.rfind(",") > t.rfind(".") else ","
        t = t.replace(thousands, "")
    t = t.replace(",", ".")
    if not re.fullmatch(r"\d+(\.\d*)?|\.\d+", t):
        raise ValueError(text)
    return t


def parse_price(text: str) -> int:
    """Euros as written by people or spreadsheets → integer cents ("12,50 €" → 1250)."""
    whole, _, fraction = _number(text).partition(".")
    if len(fraction) > 2:
        if fraction[2:].strip("0"):
            raise ValueError(text)
        fraction = fraction[:2]
    return int(whole or "0") * 100 + int(fraction.ljust(2, "0"))


def format_price(cents: int) -> str:
    """"1234,50": what parse_price reads back, and a number to French spreadsheets."""
    return l10n.amount(cents)


def _parse_int(text: str) -> int:
    """A whole number; "12", "1 200" and "12,0" (spreadsheets) accepted, "12,5" not."""
    negative = text.strip().startswith("-")
    whole, _, fraction = _number(text.strip().lstrip("-")).partition(".")
    if fraction.strip("0") or not whole:
        raise ValueError(text)
    return -int(whole) if negative else int(whole)


def _parse_bool(text: str) -> bool:
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(text)


def _text_cell(value: str) -> str:
    """Undo the export's formula guard and Excel's ="…" text wrapper."""
    value = value.strip()
    if value.startswith('="') and value.endswith('"'):
        value = value[2:-1]
    if value.startswith("'") and value[1:].startswith(_FORMULA_START):
        value = value[1:]
    return value


def _guard(value: str | None) -> str:
    """Spreadsheets run a cell starting with = + - @ as a formula: keep it text."""
    text = value or ""
    return "'" + text if text.startswith(_FORMULA_START) else text


# -- reading -------------------------------------------------------------------------------------
def _decode(raw: bytes) -> tuple[str, str]:
    try:
        if raw.startswith(b"\xef\xbb\xbf"):
            return raw[3:].decode("utf-8"), "utf-8"
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            return raw.decode("utf-16"), "utf-16"
    except UnicodeDecodeError:
        raise CsvFormatError("unreadable") from None
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace"), "cp1252"


def _sniff(header_line: str) -> str:
    """The separator of the header line (the header holds names, rarely commas)."""
    counts = {sep: 0 for sep in (";", ",", "\t")}
    quoted = False
    for ch in header_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda sep: (counts[sep], sep == ";"))
    return best if counts[best] else ";"


def _records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(first line number, fields) of each record; quoted fields may span lines."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    previous = 0
    for fields in reader:
        yield previous + 1, fields
        previous = reader.line_num


def _current(store: Store) -> dict[str, dict[str, Any]]:
    rows = store.conn.execute(
        "SELECT p.sku, p.name, p.price_cents, p.barcode, p.category, p.active,"
        " COALESCE(p.pending_available, p.available),"
        " p.low_stock_threshold, COALESCE(s.confirmed_qty, 0) + COALESCE(s.pending_delta, 0)"
        " FROM products p LEFT JOIN stock s ON s.sku = p.sku")
    return {
        r[0]: {"name": r[1], "price_cents": r[2], "barcode": r[3] or "", "category": r[4] or "",
               "active": bool(r[5]), "available": bool(r[6]), "threshold": r[7], "quantity": r[8]}
        for r in rows
    }


def read_plan(source: Path | str | bytes, store: Store) -> ImportPlan:
    """Dry run: what importing ``source`` would change. Raises CsvFormatError."""
    raw = source if isinstance(source, bytes) else Path(source).read_bytes()
    if b"\x00" in raw[:4096] and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CsvFormatError("unreadable")
    text, encoding = _decode(raw)
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise CsvFormatError("empty_file")
    plan = ImportPlan(delimiter=_sniff(lines[first]), encoding=encoding)
    if encoding == "cp1252":
        plan.notices.append(Issue(0, "", "legacy_encoding"))
    records = _records(text, plan.delimiter)
    for _, header in records:
        if any(h.strip() for h in header):
            break
    columns = _map_columns(header, plan)
    if "sku" not in columns.values():
        raise CsvFormatError("no_sku_column")
    products = _current(store)
    seen_at: dict[str, int] = {}
    for line, fields in records:
        if not any(f.strip() for f in fields):
            continue  # blank rows spreadsheets leave behind
        plan.rows += 1
        _plan_row(plan, line, fields, len(header), columns, products, seen_at)
    return plan


def _map_columns(header: list[str], plan: ImportPlan) -> dict[int, str]:
    aliases = {alias: name for name, (_, spellings) in _FIELDS.items() for alias in spellings}
    columns: dict[int, str] = {}
    for index, title in enumerate(header):
        name = aliases.get(_key(title.lstrip("\ufeff")))
        if name is None or name in columns.values():
            if title.strip():
                plan.notices.append(Issue(0, "", "ignored_column", {"column": title.strip()}))
            continue
        columns[index] = name
    return columns


def _plan_row(plan: ImportPlan, line: int, fields: list[str], width: int,
              columns: dict[int, str], products: dict[str, dict[str, Any]],
              seen_at: dict[str, int]) -> None:
    values = {name: (fields[i].strip() if i < len(fields) else "") for i, name in columns.items()}
    sku = _text_cell(values.get("sku", ""))

    def reject(code: str, **params: Any) -> None:
        plan.rejected.append(Issue(line, sku, code, params))

    if len(fields) > width and any(f.strip() for f in fields[width:]):
        return reject("too_many_fields", found=len(fields), expected=width)
    if not sku:
        return reject("missing_sku")
    if sku in seen_at:
        return reject("duplicate_sku", first=seen_at[sku])
    seen_at[sku] = line
    product = products.get(sku)
    if product is None:
        return reject("unknown_sku")
    parsed: dict[str, Any] = {}
    try:
        parsed = _parse_values(values)
    except _BadValue as bad:
        return reject(bad.code, **bad.params)
    counted = parsed.get("stock")
    available = parsed.get("available")
    change = PlannedChange(
        line, sku, product["name"],
        seen=product["quantity"] if counted is not None else None, counted=counted,
        available_before=product["available"] if available is not None else None,
        available_after=available)
    if change.delta or change.changes_availability:
        plan.changes.append(change)
    else:
        plan.unchanged += 1
    for name in CATALOGUE_FIELDS:
        if name in parsed and parsed[name] != _catalogue_value(product, name):
            plan.not_applied.append(NotApplied(line, sku, name,
                                               _shown(_catalogue_value(product, name)),
                                               _shown(parsed[name])))


class _BadValue(ValueError):
    def __init__(self, code: str, **params: Any):
        super().__init__(code)
        self.code, self.params = code, params


def _parse_values(values: dict[str, str]) -> dict[str, Any]:
    """Typed values of the non-empty cells (an empty cell means "no change")."""
    out: dict[str, Any] = {}
    for name, text in values.items():
        if not text or name == "sku":
            continue
        if name == "stock":
            try:
                out["stock"] = _parse_int(text)
            except ValueError:
                raise _BadValue("bad_quantity", value=text) from None
            if out["stock"] < 0:
                raise _BadValue("negative_quantity", value=text)
        elif name in ("price", "price_cents"):
            try:
                out["price"] = parse_price(text) if name == "price" else _parse_int(text)
            except ValueError:
                raise _BadValue("bad_price", value=text) from None
        elif name in ("available", "active"):
            try:
                out[name] = _parse_bool(text)
            except ValueError:
                raise _BadValue("bad_boolean", value=text, column=_FIELDS[name][0]) from None
        elif name == "threshold":
            try:
                out["threshold"] = _parse_int(text)
            except ValueError:
                raise _BadValue("bad_threshold", value=text) from None
        elif name == "barcode":
            code = _text_cell(text)
            if not _SCIENTIFIC.match(code):  # "3,76E+12": mangled by a spreadsheet, unusable
                out["barcode"] = code
        else:
            out[name] = _text_cell(text)
    return out


def _catalogue_value(product: dict[str, Any], name: str) -> Any:
    value = product["price_cents"] if name == "price" else product[name]
    return value.strip() if isinstance(value, str) else value


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "oui" if value else "non"
    return str(value)


# -- applying -------------------------------------------------------------------------------------
def apply_plan(store: Store, plan: ImportPlan, *, skip_rejected: bool = False) -> ApplyResult:
    """Apply a dry run's changes in ONE transaction: all of them or none.

    With rejected rows, nothing is applied unless ``skip_rejected`` (then the
    valid rows are). A plan is applied at most once (a second click must not
    count the same stock twice).
    """
    if plan.applied:
        raise ImportRefused("Cet import a déjà été appliqué.")
    if plan.rejected and not skip_rejected:
        raise ImportRefused(f"{len(plan.rejected)} ligne(s) refusée(s) : rien n’a été importé.")
    stock = StockService(store)
    adjusted = toggled = 0
    with store.transaction() as conn:
        for change in plan.changes:
            if change.delta:
                stock.adjust(change.sku, change.delta, "count")
                adjusted += 1
            if change.available_after is not None:
                row = conn.execute("SELECT COALESCE(pending_available, available)"
                                   " FROM products WHERE sku = ?",
                                   (change.sku,)).fetchone()
                if row is not None and bool(row[0]) != change.available_after:
                    stock.set_available(change.sku, change.available_after)
                    toggled += 1
    plan.applied = True
    return ApplyResult(adjusted, toggled)


# -- writing --------------------------------------------------------------------------------------
def export_catalogue(store: Store, path: Path | str) -> int:
    """Write catalogue and shown stock for French spreadsheets; returns the product count."""
    rows = store.conn.execute(
        "SELECT p.sku, p.name, p.category, p.price_cents, p.barcode,"
        " COALESCE(s.confirmed_qty, 0) + COALESCE(s.pending_delta, 0),"
        " COALESCE(p.pending_available, p.available), p.active,"
        " p.low_stock_threshold FROM products p LEFT JOIN stock s ON s.sku = p.sku"
        " ORDER BY p.category COLLATE NOCASE, p.name COLLATE NOCASE, p.sku")
    target = Path(path)
    temp = target.with_name(target.name + ".tmp")
    count = 0
    with temp.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow([_FIELDS[name][0] for name in _EXPORT])
        for sku, name, category, price, barcode, qty, available, active, threshold in rows:
            writer.writerow([_guard(sku), _guard(name), _guard(category), format_price(price),
                             _guard(barcode), qty, _shown(bool(available)), _shown(bool(active)),
                             threshold])
            count += 1
    temp.replace(target)  # never leave a half-written file under the chosen name
    return count

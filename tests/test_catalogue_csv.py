"""Catalogue CSV: French spreadsheet files in, a dry-run report, all-or-nothing apply, export."""

from __future__ import annotations

import csv
import io
import json

import pytest

from posapp.domain import ledger
from posapp.domain.catalogue_csv import (
    CsvFormatError,
    ImportRefused,
    apply_plan,
    export_catalogue,
    parse_price,
    read_plan,
)
from posapp.domain.stock import StockService
from posapp.store.db import open_store
from posapp.store.replica import ShopReplica
from tests.factories import pull, wire_order, wire_product


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "shop")
    ShopReplica(s).apply_pull(pull(products=[
        wire_product("ECL", stock=10, name="Éclair café", price_cents=250),
        wire_product("BAG", stock=30, name="Baguette tradition", price_cents=130,
                     barcode="3760000000029", category="Pain", available=False),
        wire_product("CRO", stock=0, name="Croissant", price_cents=120, barcode=None),
    ]))
    yield s
    s.close()


def outbox(store) -> list[tuple[str, dict]]:
    return [(r["name"], json.loads(r["args"]))
            for r in store.query("SELECT name, args FROM outbox ORDER BY id")]


def qty(store, sku: str) -> int:
    return StockService(store).product(sku)["quantity"]


@pytest.mark.parametrize(("text", "cents"), [
    ("12,50", 1250), ("12.50", 1250), ("12,50 €", 1250), ("€12.5", 1250), ("12", 1200),
    ("1 234,56", 123456), ("1\u202f234,56\u00a0€", 123456), ("1.234,56", 123456),
    ("1,234.56", 123456), ("0,05", 5), ("3,000", 300), ("12 EUR", 1200), ("12€50", 1250),
])
def test_prices_as_people_write_them(text, cents):
    assert parse_price(text) == cents


@pytest.mark.parametrize("text", ["", "abc", "12,345", "-3", "1,2,3", "12€5€0"])
def test_unreadable_prices_are_refused(text):
    with pytest.raises(ValueError):
        parse_price(text)


def test_french_excel_file_dry_run_lists_changes_and_touches_nothing(store):
    data = ("\ufeffRéférence;Nom;Prix;Code-barres;Catégorie;Quantité;Disponible;Actif;Seuil\r\n"
            'ECL;"Éclair café";2,50 €;3760000000012;Pâtisserie;7;oui;oui;2\r\n'
            "BAG;Baguette tradition;1,40;3760000000029;Pain;30;oui;oui;2\r\n"
            ";;;;;;;;\r\n").encode()
    plan = read_plan(data, store)
    assert plan.ok and plan.delimiter == ";" and plan.rows == 2
    by_sku = {c.sku: c for c in plan.changes}
    assert (by_sku["ECL"].seen, by_sku["ECL"].counted, by_sku["ECL"].delta) == (10, 7, -3)
    assert by_sku["BAG"].delta == 0 and by_sku["BAG"].changes_availability
    assert [(n.sku, n.field, n.current, n.wanted) for n in plan.not_applied] == [
        ("BAG", "price", "130", "140")]
    assert outbox(store) == [] and qty(store, "ECL") == 10  # a dry run changes nothing


def test_apply_counts_against_what_was_seen_and_sets_availability(store):
    plan = read_plan(b"sku,stock,available\nECL,7,\nBAG,,yes\nCRO,0,no\n", store)
    # An online sale arrives between the dry run and the confirmation: it still counts.
    ShopReplica(store).apply_pull(pull(cursor=2, orders=[wire_order("ord_1")],
                                       products=[wire_product("ECL", stock=8)]))
    result = apply_plan(store, plan)
    assert (result.stock_adjusted, result.availability_changed) == (1, 2)
    assert outbox(store) == [
        ("stock.adjust", {"sku": "ECL", "delta": -3, "reason": "count"}),
        ("product.set_available", {"sku": "BAG", "available": True}),
        ("product.set_available", {"sku": "CRO", "available": False}),
    ]
    assert qty(store, "ECL") == 5  # counted 7 where 10 were shown, minus the 2 sold since
    assert StockService(store).product("BAG")["available"] == 1
    assert ledger.check(store.conn) == []
    with pytest.raises(ImportRefused):  # a second click does not count twice
        apply_plan(store, plan)
    assert len(outbox(store)) == 3


def test_rejected_rows_are_listed_with_line_numbers_and_nothing_is_applied(store):
    data = ("sku;stock;prix;disponible\n"
            "ECL;5;2,50;oui\n"
            "NOPE;3;1;oui\n"
            "\n"
            "BAG;douze;1,30;oui\n"
            '"CRO";-2;1,20;oui\n'
            ";4;;\n"
            "ECL;6;;\n"
            "CRO;1;un euro;peut-être\n").encode()
    plan = read_plan(data, store)
    assert [(r.line, r.sku, r.code) for r in plan.rejected] == [
        (3, "NOPE", "unknown_sku"), (5, "BAG", "bad_quantity"), (6, "CRO", "negative_quantity"),
        (7, "", "missing_sku"), (8, "ECL", "duplicate_sku"), (9, "CRO", "duplicate_sku")]
    assert plan.rejected[0].message == "produit inconnu de la place de marché"
    assert plan.rejected[4].message == "référence en double (déjà ligne 2)"
    with pytest.raises(ImportRefused):
        apply_plan(store, plan)
    assert outbox(store) == [] and qty(store, "ECL") == 10
    result = apply_plan(store, plan, skip_rejected=True)  # only when asked explicitly
    assert result.stock_adjusted == 1 and qty(store, "ECL") == 5


def test_a_failure_half_way_applies_nothing(store, monkeypatch):
    plan = read_plan(b"sku;stock\nECL;1\nBAG;2\nCRO;3\n", store)
    real = StockService.adjust
    calls = []

    def failing(self, sku, delta, reason):
        calls.append(sku)
        if len(calls) == 3:
            raise OSError("disk full")
        return real(self, sku, delta, reason)

    monkeypatch.setattr(StockService, "adjust", failing)
    with pytest.raises(OSError):
        apply_plan(store, plan)
    assert calls == ["ECL", "BAG", "CRO"]
    assert outbox(store) == [] and (qty(store, "ECL"), qty(store, "BAG")) == (10, 30)
    assert store.query_one("SELECT count(*) AS n FROM stock_ledger WHERE source = 'counter'")[
        "n"] == 0
    assert not plan.applied


def test_comma_separated_english_file_with_quoted_decimal_comma(store):
    data = b'SKU,Name,Price,Quantity\r\nECL,"Eclair, coffee","2,50",4\r\n'
    plan = read_plan(data, store)
    assert plan.delimiter == "," and plan.ok
    assert plan.changes[0].counted == 4
    assert {n.field for n in plan.not_applied} == {"name"}  # price equal: 2,50 = 250 cents


def test_unquoted_decimal_comma_in_a_comma_file_is_a_clear_rejection(store):
    plan = read_plan(b"sku,prix,stock\nECL,2,50,4\n", store)
    assert [(r.line, r.code) for r in plan.rejected] == [(2, "too_many_fields")]
    assert "séparateur" in plan.rejected[0].message


def test_windows_1252_and_tab_separated_files(store):
    cp = "référence;catégorie;stock\nBAG;Pâtisserie;29\n".encode("cp1252")
    plan = read_plan(cp, store)
    assert plan.encoding == "cp1252" and [n.code for n in plan.notices] == ["legacy_encoding"]
    assert plan.not_applied[0].wanted == "Pâtisserie"
    tabbed = "sku\tstock\nBAG\t29\n".encode("utf-16")
    plan = read_plan(tabbed, store)
    assert plan.delimiter == "\t" and plan.changes[0].delta == -1


def test_quoted_field_spanning_lines_keeps_line_numbers(store):
    data = 'sku;nom;stock\nECL;"Éclair\ncafé";x\nNOPE;a;1\n'.encode()
    plan = read_plan(data, store)
    assert [(r.line, r.code) for r in plan.rejected] == [(2, "bad_quantity"), (4, "unknown_sku")]


def test_file_without_sku_column_or_empty_is_refused_as_a_whole(store):
    with pytest.raises(CsvFormatError, match="référence"):
        read_plan(b"nom;stock\nEclair;3\n", store)
    with pytest.raises(CsvFormatError, match="vide"):
        read_plan(b"\xef\xbb\xbf\r\n  \r\n", store)
    with pytest.raises(CsvFormatError):
        read_plan(b"\x00\x01\x02SQLite", store)


def test_unknown_columns_are_reported_not_guessed(store):
    plan = read_plan(b"sku;stock;fournisseur\nECL;10;Dupont\n", store)
    assert [(n.code, n.params) for n in plan.notices] == [
        ("ignored_column", {"column": "fournisseur"})]
    assert plan.changes == [] and plan.unchanged == 1


def test_export_opens_in_french_spreadsheets_and_reimports_as_no_change(store, tmp_path):
    StockService(store).adjust("ECL", -1, "counter_sale")
    with store.transaction() as conn:
        conn.execute("UPDATE products SET name = '=HYPERLINK(\"x\")' WHERE sku = 'CRO'")
    path = tmp_path / "catalogue.csv"
    assert export_catalogue(store, path) == 3
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["référence", "nom", "catégorie", "prix", "code-barres", "stock",
                       "disponible", "actif", "seuil"]
    ecl = next(r for r in rows if r[0] == "ECL")
    assert (ecl[3], ecl[5], ecl[6]) == ("2,50", "9", "oui")
    cro = next(r for r in rows if r[0] == "CRO")
    assert cro[1].startswith("'=")  # never run as a formula
    plan = read_plan(path, store)
    assert plan.ok and plan.changes == [] and plan.not_applied == [] and plan.unchanged == 3


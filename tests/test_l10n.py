"""One formatter for money and dates (l10n): the screens, the tickets and the CSVs agree."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest

import l10n
from posapp.domain import catalogue_csv
from printing import fr_format


@pytest.mark.parametrize(("cents", "fr", "en"), [
    (1250, "12,50\xa0€", "€12.50"),
    (0, "0,00\xa0€", "€0.00"),
    (5, "0,05\xa0€", "€0.05"),
    (123456, "1\u202f234,56\xa0€", "€1,234.56"),
    (-300, "-3,00\xa0€", "-€3.00"),
    (123456789, "1\u202f234\u202f567,89\xa0€", "€1,234,567.89"),
])
def test_euros_in_each_interface_language(cents: int, fr: str, en: str) -> None:
    assert l10n.euros(cents, "fr_FR") == fr
    assert l10n.euros(cents, "en_GB") == en
    assert l10n.euros(cents) == fr  # French unless told otherwise


def test_tickets_get_the_same_text_with_plain_spaces() -> None:
    # Printer code pages have no U+202F, and ticket lines are fitted by counting columns.
    assert fr_format.format_euros(123456) == "1 234,56 €" == l10n.euros(123456, plain_spaces=True)
    assert fr_format.format_euros(1450).encode("ascii", "replace") == b"14,50 ?"  # only the €


def test_amounts_for_spreadsheets() -> None:
    assert l10n.amount(123456) == "1234,56" == catalogue_csv.format_price(123456)
    assert l10n.amount(-5) == "-0,05" and l10n.amount(0) == "0,00"
    assert catalogue_csv.parse_price(l10n.amount(987654)) == 987654  # what we write reads back
    assert l10n.amount(123456, "en_GB") == "1234.56"
    assert l10n.one_decimal(754 / 60) == "12,6"


def test_dates_in_the_locales_order() -> None:
    moment = l10n.to_local("2026-11-23T16:05:00.000Z")  # Paris: 17:05
    assert moment is not None
    assert l10n.slot(moment) == "lun. 23/11 17:05"
    assert l10n.slot(moment, "en_GB") == "Mon 23/11 17:05"
    assert l10n.day_month_time(moment, "en_GB") == "23/11 17:05"
    assert l10n.day_month_time(moment, "en_US") == "11/23 17:05"
    assert l10n.time_hm(moment) == "17:05"
    assert l10n.short_date(date(2026, 11, 23)) == "lun. 23/11/2026"
    assert l10n.numeric_date(date(2026, 1, 15)) == "15/01/2026"


def test_l10n_and_printing_import_no_qt() -> None:
    # printing/ and posapp/domain/ use l10n: it must stay free of Qt and of the project.
    code = ("import sys, l10n, printing, posapp.domain.day_report; "
            "bad = [m for m in sys.modules if m.startswith(('PySide6', 'posapp.ui'))]; "
            "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr

from __future__ import annotations

from datetime import date

from printing.fr_format import format_date, format_euros, format_slot, to_local


def test_euros_are_formatted_french_style() -> None:
    assert format_euros(1250) == "12,50 €"
    assert format_euros(0) == "0,00 €"
    assert format_euros(5) == "0,05 €"
    assert format_euros(123456) == "1 234,56 €"
    assert format_euros(-300) == "-3,00 €"


def test_utc_times_shown_in_paris_time_winter_and_summer() -> None:
    assert format_slot(to_local("2026-11-23T16:00:00.000Z")) == "lun. 23/11 17:00"
    assert format_slot(to_local("2026-07-14T16:00:00.000Z")) == "mar. 14/07 18:00"


def test_other_time_zone() -> None:
    assert format_slot(to_local("2026-11-23T16:00:00.000Z", "America/Martinique")) == (
        "lun. 23/11 12:00"
    )


def test_date() -> None:
    assert format_date(date(2026, 11, 23)) == "lun. 23/11/2026"

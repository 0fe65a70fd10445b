"""The printer form's "print on acceptance / on arrival" setting."""

from __future__ import annotations

from posapp.ui.i18n import install_translator
from posapp.ui.printer_settings import PrinterSettings
from printing import PrintMoment


def test_the_form_defaults_to_acceptance_and_saves_arrival(qtbot, qapp, printing):
    install_translator(qapp, "fr")
    form = PrinterSettings(printing, {"name": "Boulangerie Zoé"})
    qtbot.addWidget(form)
    assert form.print_on.currentData() == PrintMoment.ACCEPTANCE.value
    assert "acceptation" in form.print_on.currentText()
    form.print_on.setCurrentIndex(form.print_on.findData(PrintMoment.ARRIVAL.value))
    assert form.save()
    assert printing.config().print_on is PrintMoment.ARRIVAL
    form.auto_print.setChecked(False)  # no automatic ticket: the moment does not apply
    assert not form.print_on.isEnabled()
    reopened = PrinterSettings(printing, {"name": "Boulangerie Zoé"})
    qtbot.addWidget(reopened)
    assert reopened.print_on.currentData() == PrintMoment.ARRIVAL.value

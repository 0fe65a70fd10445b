"""Translations: UI strings are written in English and shipped translated to French.

Every UI string goes through ``tr()`` (one translation context, "Comptoir"), so
``resources/i18n/update_ts.py`` can find them all; French is the default language.
Counts go through ``trn("%n order(s)", n)``: Qt picks the plural form of the
language (French: 0 and 1 singular), in English too (``comptoir_en.ts`` holds
only those forms). Qt's own dialogs and buttons (file dialogs, Cancel, Yes/No)
use Qt's shipped ``qtbase_<lang>`` translations.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication

from posapp.ui.paths import resource

__all__ = ["tr", "trn", "install_translator", "installed_language", "LANGUAGES", "CONTEXT"]

CONTEXT = "Comptoir"
LANGUAGES = {"fr": "Français", "en": "English"}

# The translators must outlive the call (Qt does not take ownership of them).
_current: dict[str, object] = {"translators": [], "lang": None}


def tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def trn(text: str, n: int) -> str:
    """A text with a count: ``%n`` becomes n, in the plural form the language wants."""
    return QCoreApplication.translate(CONTEXT, text, None, n)


def install_translator(app: QApplication, lang: str) -> bool:
    """Load Comptoir's ``comptoir_<lang>.qm`` and Qt's ``qtbase_<lang>.qm``. Returns success."""
    for old in _current["translators"]:  # type: ignore[union-attr]
        app.removeTranslator(old)
    _current["translators"] = []
    _current["lang"] = lang
    # Money, dates and times follow the interface language (fr-FR, or en-GB: euros, 24 h).
    QLocale.setDefault(QLocale(QLocale.Language.French, QLocale.Country.France) if lang == "fr"
                       else QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))
    ours = QTranslator(app)
    if not ours.load(str(resource("i18n", f"comptoir_{lang}.qm"))):
        return lang == "en"  # English without its plural forms still reads
    translators = [ours]
    qt_own = QTranslator(app)
    if lang != "en" and qt_own.load(f"qtbase_{lang}", QLibraryInfo.path(
            QLibraryInfo.LibraryPath.TranslationsPath)):
        translators.append(qt_own)
    for translator in translators:
        app.installTranslator(translator)
    _current["translators"] = translators
    return True


def installed_language() -> str | None:
    lang = _current["lang"]
    return lang if isinstance(lang, str) else None

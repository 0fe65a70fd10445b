"""Translations: UI strings are written in English and shipped translated to French.

Every UI string goes through ``tr()`` (one translation context, "Comptoir"), so
``resources/i18n/update_ts.py`` can find them all; French is the default language.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator
from PySide6.QtWidgets import QApplication

from posapp.ui.paths import resource

__all__ = ["tr", "install_translator", "installed_language", "LANGUAGES", "CONTEXT"]

CONTEXT = "Comptoir"
LANGUAGES = {"fr": "Français", "en": "English"}

# The translator must outlive the call (Qt does not take ownership of it).
_current: dict[str, object] = {"translator": None, "lang": None}


def tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def install_translator(app: QApplication, lang: str) -> bool:
    """Load ``resources/i18n/comptoir_<lang>.qm`` (English needs none). Returns success."""
    old = _current["translator"]
    if isinstance(old, QTranslator):
        app.removeTranslator(old)
        _current["translator"] = None
    _current["lang"] = lang
    # Money, dates and times follow the interface language (fr-FR, or en-GB: euros, 24 h).
    QLocale.setDefault(QLocale(QLocale.Language.French, QLocale.Country.France) if lang == "fr"
                       else QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))
    if lang == "en":
        return True
    translator = QTranslator(app)
    if not translator.load(str(resource("i18n", f"comptoir_{lang}.qm"))):
        return False
    app.installTranslator(translator)
    _current["translator"] = translator
    return True


def installed_language() -> str | None:
    lang = _current["lang"]
    return lang if isinstance(lang, str) else None

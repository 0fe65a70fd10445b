"""French texts write an elision with one apostrophe everywhere: ’ (U+2019).

Shopkeepers read the app's translations, the sync and backup messages, the tickets and
the marketplace's refusals side by side; customers read the storefront and its error
messages. They used to mix ' and ’ ("Code d'appairage" next to "volume de l’alerte").
Checked: the French translations, every one-line string literal of the packages (English
sources never elide a single letter or "qu" before a vowel), the console's templates and
the storefront's script. Customers' own texts (notes) are kept as typed, and a ticket
prints ’ as ' where the printer's code page lacks it (printing/codepages.py)."""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("marketplace", "sync", "printing", "posapp", "l10n")
# A French elision with a straight apostrophe: l'adresse, n'est, qu'elle, aujourd'hui...
STRAIGHT_ELISION = re.compile(
    r"(?<![A-Za-zÀ-ÿ])(?:[nldsjcmtNLDSJCMT]|[Qq]u|[Jj]usqu|[Ll]orsqu|[Pp]uisqu|[Aa]ujourd"
    r"|[Pp]resqu|[Qq]uelqu)'(?=[A-Za-zÀ-ÿœŒ])")


def _string_literals(path: Path) -> list[tuple[int, str]]:
    source = path.read_text(encoding="utf-8")
    return [(tok.start[0], tok.string)
            for tok in tokenize.generate_tokens(io.StringIO(source).readline)
            if tok.type == tokenize.STRING and tok.start[0] == tok.end[0]]


def test_the_pattern_tells_french_elisions_from_english():
    for french in ("Code d'appairage", "n'est pas", "qu'elle", "aujourd'hui", "L'adresse"):
        assert STRAIGHT_ELISION.search(french), french
    for english in ("the shop's data", "don't", "it's", "'d'", "O'Brien", "Code d’appairage"):
        assert not STRAIGHT_ELISION.search(english), english


def test_python_strings_use_the_typographic_apostrophe():
    found = [f"{path.relative_to(ROOT)}:{line}: {text}"
             for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))
             for line, text in _string_literals(path) if STRAIGHT_ELISION.search(text)]
    assert found == []


def test_french_translations_use_the_typographic_apostrophe():
    ts = (ROOT / "resources" / "i18n" / "comptoir_fr.ts").read_text(encoding="utf-8")
    texts = re.findall(r"<translation[^>]*>(.*?)</translation>|<numerusform>(.*?)</numerusform>",
                       ts, flags=re.S)
    assert len(texts) > 300
    assert [t for pair in texts for t in pair if STRAIGHT_ELISION.search(t)] == []


def test_web_pages_use_the_typographic_apostrophe():
    pages = [*sorted((ROOT / "marketplace").rglob("*.html")),
             *sorted((ROOT / "marketplace").rglob("*.js"))]
    assert len(pages) > 5
    found = [f"{page.relative_to(ROOT)}:{i}: {line.strip()}" for page in pages
             for i, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1)
             if STRAIGHT_ELISION.search(line)]
    assert found == []

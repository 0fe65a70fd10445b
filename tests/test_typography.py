"""French texts write an elision with one apostrophe everywhere: ’ (U+2019).

Shopkeepers read the app's translations, the sync and backup messages, the tickets and
the marketplace's refusals side by side; customers read the storefront and its error
messages. They used to mix ' and ’ ("Code d'appairage" next to "volume de l’alerte").
Checked: the French translations, every string of the packages but docstrings (f-strings'
text included; English sources never elide a single letter or "qu" before a vowel), the
console's templates and the storefront's script. Customers' own texts (notes) are kept as typed, and a ticket
prints ’ as ' where the printer's code page lacks it (printing/codepages.py)."""

from __future__ import annotations

import ast
import re
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("marketplace", "sync", "printing", "posapp", "l10n")
# A French elision with a straight apostrophe: l'adresse, n'est, qu'elle, aujourd'hui...
STRAIGHT_ELISION = re.compile(
    r"(?<![A-Za-zÀ-ÿ])(?:[nldsjcmtNLDSJCMT]|[Qq]u|[Jj]usqu|[Ll]orsqu|[Pp]uisqu|[Aa]ujourd"
    r"|[Pp]resqu|[Qq]uelqu)'(?=[A-Za-zÀ-ÿœŒ])")


def _strings(path: Path) -> list[tuple[int, str]]:
    """(line, text) of every string constant but docstrings, f-strings' text included (the
    parsed text: escapes decoded, on every Python version)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef,
                                       ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in docstrings]


def test_the_pattern_tells_french_elisions_from_english():
    for french in ("Code d'appairage", "n'est pas", "qu'elle", "aujourd'hui", "L'adresse"):
        assert STRAIGHT_ELISION.search(french), french
    for english in ("the shop's data", "don't", "it's", "'d'", "O'Brien", "Code d’appairage"):
        assert not STRAIGHT_ELISION.search(english), english


def test_python_strings_use_the_typographic_apostrophe():
    found = [f"{path.relative_to(ROOT)}:{line}: {text}"
             for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))
             for line, text in _strings(path) if STRAIGHT_ELISION.search(text)]
    assert found == []


def test_french_translations_use_the_typographic_apostrophe():
    root = ET.parse(ROOT / "resources" / "i18n" / "comptoir_fr.ts").getroot()  # &apos; decoded
    texts = [node.text or "" for node in root.iter() if node.tag in ("translation", "numerusform")]
    assert len(texts) > 300
    assert [t for t in texts if STRAIGHT_ELISION.search(t)] == []


def test_web_pages_use_the_typographic_apostrophe():
    pages = [*sorted((ROOT / "marketplace").rglob("*.html")),
             *sorted((ROOT / "marketplace").rglob("*.js"))]
    assert len(pages) > 5
    found = [f"{page.relative_to(ROOT)}:{i}: {line.strip()}" for page in pages
             for i, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1)
             if STRAIGHT_ELISION.search(line)]
    assert found == []


def test_the_scan_reads_f_strings_escapes_and_long_strings_but_not_docstrings(tmp_path):
    module = tmp_path / "m.py"
    module.write_text('"""Module doc: l\'adresse."""\n'
                      'def f(x):\n    """Doc: n\'est."""\n'
                      '    a = f"{x} : rien n\'est perdu"\n'
                      '    b = "ligne\\nl\'adresse"\n'
                      '    c = ("une"\n         " phrase qu\'elle lit")\n'
                      "    d = '''long\nd'appairage'''\n"
                      '    return a, b, c, d\n', encoding="utf-8")
    flagged = [text for _, text in _strings(module) if STRAIGHT_ELISION.search(text)]
    assert len(flagged) == 4 and not any("doc" in t.lower() for t in flagged)

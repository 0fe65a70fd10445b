"""Refresh resources/i18n/comptoir_<lang>.ts from the tr("...") calls in posapp/ui, then compile.

The .ts files (Qt Linguist format) are the source of truth for translations:
existing ones are kept, new strings are added as "unfinished", vanished ones
are dropped. ``--merge file.json`` adds translations from a {source: text} map
(a list of forms, singular first, for a count).

``trn("%n order(s)", n)`` calls are "numerus" messages: one translation per
plural form of the language. English has its own file with only those
(``--lang en``), so "1 order" and "2 orders" read right there too.

Run: .venv/bin/python resources/i18n/update_ts.py [--lang fr] [--merge new.json]
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONTEXT = "Comptoir"


Translation = str | list[str]  # a text, or one text per plural form


def extract_calls(package: Path = ROOT / "posapp" / "ui") -> dict[str, bool]:
    """{source: is a count (trn)} in file order."""
    found: dict[str, bool] = {}
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            arg = node.args[0]
            if name in ("tr", "trn") and isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found[arg.value] = name == "trn"
    return found


def extract(package: Path = ROOT / "posapp" / "ui") -> list[str]:
    return list(extract_calls(package))


def read_ts(path: Path) -> dict[str, Translation]:
    if not path.exists():
        return {}
    out: dict[str, Translation] = {}
    for message in ET.parse(path).getroot().iter("message"):
        source = message.findtext("source") or ""
        translation = message.find("translation")
        if translation is None or translation.get("type") == "unfinished":
            continue
        forms = [form.text or "" for form in translation.iter("numerusform")]
        if message.get("numerus") == "yes" and all(forms):
            out[source] = forms
        elif translation.text:
            out[source] = translation.text
    return out


def write_ts(path: Path, lang: str, sources: list[str], translations: dict[str, Translation],
             numerus: set[str] = frozenset()) -> list[str]:  # type: ignore[assignment]
    ts = ET.Element("TS", version="2.1", language=lang)
    context = ET.SubElement(ts, "context")
    ET.SubElement(context, "name").text = CONTEXT
    missing = []
    for source in sources:
        message = ET.SubElement(context, "message")
        ET.SubElement(message, "source").text = source
        translation = ET.SubElement(message, "translation")
        found = translations.get(source)
        if source in numerus:
            message.set("numerus", "yes")
            forms = found if isinstance(found, list) and len(found) == 2 else ["", ""]
            for form in forms:
                ET.SubElement(translation, "numerusform").text = form
            if not all(forms):
                translation.set("type", "unfinished")
                missing.append(source)
        elif isinstance(found, str):
            translation.text = found
        else:
            translation.set("type", "unfinished")
            missing.append(source)
    ET.indent(ts)
    path.write_text('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n'
                    + ET.tostring(ts, encoding="unicode") + "\n", encoding="utf-8")
    return missing


def lrelease(ts: Path) -> None:
    # The pyside6-lrelease wrapper needs PySide6/__init__.py, which a partial reinstall of
    # PySide6-Essentials/Addons can remove; the binary shipped in the package does not.
    spec = importlib.util.find_spec("PySide6")
    folders = [Path(p) for p in (spec.submodule_search_locations or [])] if spec else []
    bundled = [f / name for f in folders for name in ("lrelease", "lrelease.exe")]
    tool = (next((str(p) for p in bundled if p.is_file()), None)
            or shutil.which("pyside6-lrelease")
            or str(Path(sys.executable).parent / "pyside6-lrelease"))
    subprocess.run([tool, "-silent", str(ts), "-qm", str(ts.with_suffix(".qm"))], check=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lang", default="fr")
    parser.add_argument("--merge", type=Path)
    args = parser.parse_args()
    ts = Path(__file__).parent / f"comptoir_{args.lang}.ts"
    translations = read_ts(ts)
    if args.merge:
        translations.update(json.loads(args.merge.read_text(encoding="utf-8")))
    calls = extract_calls()
    numerus = {source for source, counted in calls.items() if counted}
    # English is the source language: its file only holds the plural forms.
    sources = [s for s in calls if s in numerus] if args.lang == "en" else list(calls)
    missing = write_ts(ts, args.lang, sources, translations, numerus)
    lrelease(ts)
    for source in missing:
        print(f"untranslated: {source!r}")
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())

"""python-escpos' printer database is parsed once, then read from a per-user cache."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PICKLE = f"{platform.python_version()}.capabilities.pickle"


def start_printing(cache_home: Path) -> subprocess.CompletedProcess[str]:
    """A fresh process importing ``printing`` as the app does (escpos not loaded yet)."""
    env = {k: v for k, v in os.environ.items() if k != "ESCPOS_CAPABILITIES_PICKLE_DIR"}
    env["XDG_CACHE_HOME"] = str(cache_home)
    code = ("import os, printing, escpos.capabilities as c; "
            "print(os.environ['ESCPOS_CAPABILITIES_PICKLE_DIR']); print(len(c.CAPABILITIES))")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=60)


def test_the_database_is_cached_between_starts(tmp_path):
    first = start_printing(tmp_path)
    assert first.returncode == 0, first.stderr
    folder = Path(first.stdout.splitlines()[0])
    assert folder == tmp_path / "comptoir" / "escpos"
    cached = folder / PICKLE
    written = cached.stat().st_mtime_ns
    second = start_printing(tmp_path)
    assert second.returncode == 0 and second.stdout == first.stdout
    assert cached.stat().st_mtime_ns == written  # read, not parsed and written again


def test_a_truncated_cache_is_rebuilt_not_fatal(tmp_path):
    assert start_printing(tmp_path).returncode == 0
    cached = tmp_path / "comptoir" / "escpos" / PICKLE
    cached.write_bytes(cached.read_bytes()[:100])  # a start cut while escpos wrote it
    again = start_printing(tmp_path)
    assert again.returncode == 0, again.stderr
    assert cached.stat().st_size > 1000

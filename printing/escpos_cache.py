"""Keep python-escpos' parsed printer database between runs (imported before escpos).

On import, ``escpos.capabilities`` parses its YAML printer database (~130 ms of
every start-up) unless a pickle of it is found in ``ESCPOS_CAPABILITIES_PICKLE_DIR``;
left unset, that folder is a fresh temporary one per process, so the cache never
serves and temporary folders pile up. Point it at a per-user cache folder, and
drop a pickle that does not load (a start cut while escpos was writing it) so
escpos rebuilds it instead of failing at import. Done on import of this module,
which ``printing/__init__.py`` imports first.
"""

from __future__ import annotations

import os
import pickle
import platform
from pathlib import Path

import platformdirs

__all__ = ["use_capabilities_cache"]

_ENV = "ESCPOS_CAPABILITIES_PICKLE_DIR"


def use_capabilities_cache(folder: Path | None = None) -> Path | None:
    """Set the cache folder (unless the environment already chose one); None if unusable."""
    if _ENV in os.environ:
        return Path(os.environ[_ENV])
    folder = folder or Path(platformdirs.user_cache_dir("comptoir", appauthor=False)) / "escpos"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None  # escpos falls back to its temporary folder
    cached = folder / f"{platform.python_version()}.capabilities.pickle"  # escpos' own name
    try:
        with cached.open("rb") as stream:
            pickle.load(stream)
    except FileNotFoundError:
        pass
    except Exception:  # truncated or foreign: escpos would fail on it at import
        cached.unlink(missing_ok=True)
    os.environ[_ENV] = str(folder)
    return folder


use_capabilities_cache()

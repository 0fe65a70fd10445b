"""Where the UI's resources (sounds, styles, translations, icons) live.

They sit in ``resources/`` at the repository root; ``COMPTOIR_RESOURCES``
overrides it (e.g. for a packaged build that ships them elsewhere).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["resource_dir", "resource"]


def resource_dir() -> Path:
    override = os.environ.get("COMPTOIR_RESOURCES")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "resources"


def resource(*parts: str) -> Path:
    return resource_dir().joinpath(*parts)

"""Another git revision of this repository beside it, for benches that measure two trees
side by side in one run (``--against REV``)."""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["ROOT", "trees"]

ROOT = Path(__file__).resolve().parents[1]


@contextlib.contextmanager
def trees(against: str | None) -> Iterator[dict[str, Path]]:
    """``{"this tree": ROOT}``, preceded by ``{REV: a temporary worktree of REV}`` when
    ``against`` names one; the worktree is removed afterwards."""
    if not against:
        yield {"this tree": ROOT}
        return
    with tempfile.TemporaryDirectory() as tmp:
        other = Path(tmp) / "tree"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q",
                        str(other), against], check=True)
        try:
            yield {against: other, "this tree": ROOT}
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force",
                            str(other)], check=False)

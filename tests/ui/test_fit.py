"""The window fits the screens shops have, with hostile content, in French and English.

Each screen size runs tests/ui/fit_probe.py in its own process: offscreen with a
screen of that size (Qt's offscreen plugin reads it from a JSON config file),
and, where Xvfb and openbox are installed (``./dev`` installs them), on a real
X server with a window manager, which adds the title bar the offscreen screen lacks.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENS = [(1280, 720), (1366, 768), (1920, 1080)]


def _run_probe(env: dict[str, str], tmp_path: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "tests.ui.fit_probe", "--shots", str(tmp_path / "shots")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY")}
    env.update(extra)
    return env


@pytest.mark.parametrize(("width", "height"), SCREENS, ids=[f"{w}x{h}" for w, h in SCREENS])
def test_window_fits_the_screen_offscreen(tmp_path, width, height):
    config = tmp_path / "screen.json"
    config.write_text(json.dumps({"screens": [
        {"name": "shop", "x": 0, "y": 0, "width": width, "height": height, "logicalDpi": 96}]}))
    report = _run_probe(_env(QT_QPA_PLATFORM=f"offscreen:configfile={config}"), tmp_path)
    assert report["screen"] == [width, height]
    assert report["problems"] == []
    for lang in ("fr", "en"):
        x, y, w, h = report["windows"][lang]["frame"]
        assert (w, h) == (width, height)  # opens on the whole free area, not 1366×800


def _wait_for_window_manager(display: str, timeout_s: float = 20.0) -> None:
    """Openbox announces itself on the root window (EWMH); poll for it, bounded."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        done = subprocess.run(["xprop", "-root", "_NET_SUPPORTING_WM_CHECK"],
                              env=_env(DISPLAY=display), capture_output=True, text=True)
        if "window id" in done.stdout:
            return
        time.sleep(0.1)
    pytest.fail("openbox did not start")


@pytest.fixture
def x_display(tmp_path) -> Iterator[Callable[[int, int], str]]:
    """Start Xvfb + openbox at a given size; yields a function returning the DISPLAY."""
    if not all(shutil.which(tool) for tool in ("Xvfb", "openbox", "xprop")):
        pytest.skip("Xvfb and openbox are not installed (./dev test installs them)")
    started: list[subprocess.Popen] = []

    def start(width: int, height: int) -> str:
        read, write = os.pipe()
        xvfb = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write), "-screen", "0", f"{width}x{height}x24",
             "-nolisten", "tcp"], pass_fds=(write,), stderr=subprocess.DEVNULL)
        started.append(xvfb)
        os.close(write)
        with os.fdopen(read) as pipe:
            number = pipe.readline().strip()  # Xvfb writes its display number once ready
        assert number, "Xvfb did not start"
        display = f":{number}"
        started.append(subprocess.Popen(["openbox"], env=_env(DISPLAY=display),
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        _wait_for_window_manager(display)
        return display

    yield start
    for process in reversed(started):
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.mark.parametrize(("width", "height"), SCREENS[:2], ids=["1280x720", "1366x768"])
def test_window_fits_a_real_screen_with_a_window_manager(tmp_path, x_display, width, height):
    display = x_display(width, height)
    report = _run_probe(_env(QT_QPA_PLATFORM="xcb", DISPLAY=display), tmp_path)
    assert report["screen"][0] == width and report["screen"][1] <= height
    assert report["problems"] == []

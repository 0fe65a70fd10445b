"""Only one Comptoir per data directory; a second launch brings the first window forward.

Two real processes: the first holds the lock and listens; the second, started
the way a shopkeeper double-clicks again, exits at once after asking the first
to show itself.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from posapp.ui.single_instance import SingleInstance
from tests.conftest import wait_until

ROOT = Path(__file__).resolve().parents[2]

FIRST = """
import sys
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from posapp.ui.single_instance import SingleInstance
from tests.conftest import wait_until
app = QApplication([])
instance = SingleInstance(Path(sys.argv[1]))
assert instance.acquire()
instance.activation_requested.connect(lambda: (print("shown", flush=True), app.quit()))
print("ready", flush=True)
QTimer.singleShot(20000, app.quit)  # bounded
app.exec()
"""


def _first(lock: Path) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", FIRST, str(lock)], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    return proc


def test_a_second_instance_asks_the_first_to_show_itself(qapp, tmp_path):
    lock = tmp_path / "data" / "comptoir.lock"
    first = _first(lock)
    try:
        second = SingleInstance(lock)
        assert not second.acquire()  # the first one holds the data directory
        assert second.ask_first_to_show()
        out, _ = first.communicate(timeout=10)
        assert out.strip() == "shown" and first.returncode == 0
    finally:
        first.kill()
    # The first one is gone: the next launch is the one.
    third = SingleInstance(lock)
    assert third.acquire()
    third.release()


def test_the_lock_of_a_killed_instance_is_taken_over(qapp, tmp_path):
    lock = tmp_path / "comptoir.lock"
    first = _first(lock)
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    assert lock.exists()  # left behind by the crash
    again = SingleInstance(lock)
    assert again.acquire()
    assert not SingleInstance(lock).acquire()  # and now it is held again
    again.release()


def test_other_data_directories_are_other_shops(qapp, tmp_path):
    a = SingleInstance(tmp_path / "a" / "comptoir.lock")
    b = SingleInstance(tmp_path / "b" / "comptoir.lock")
    assert a.acquire() and b.acquire()
    assert a.server_name != b.server_name
    a.release()
    b.release()


def test_launching_comptoir_twice_on_one_data_directory(tmp_path):
    """The real command: the second launch exits 0 at once, the first one is shown."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    command = [sys.executable, "-m", "posapp", "--data-dir", str(tmp_path / "shop"), "--verbose"]
    first = subprocess.Popen(command, cwd=ROOT, env=env, text=True, stderr=subprocess.PIPE)
    try:
        lock = tmp_path / "shop" / "comptoir.lock"
        wait_until(lock.exists, timeout=30)
        second = None
        for _ in range(20):  # bounded: the first one listens right after taking the lock
            second = subprocess.run(command, cwd=ROOT, env=env, text=True, capture_output=True,
                                    timeout=30)
            if second.returncode != 3:  # 3: holds the lock but not listening yet
                break
        assert second is not None and second.returncode == 0, second.stderr
        assert "déjà ouvert" in second.stderr
    finally:
        first.send_signal(signal.SIGINT)
        try:
            _out, err = first.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            first.kill()
            _out, err = first.communicate()
    assert "another launch asked for this window" in err


def test_a_second_launch_raises_the_open_question_too(qtbot):
    """A modal dialog (the quit question, a reprint question) comes forward with the window."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QDialog, QMainWindow

    from posapp.ui.single_instance import bring_forward

    window = QMainWindow()
    qtbot.addWidget(window)
    window.show()
    dialog = QDialog(window)
    dialog.setModal(True)
    raised: list[bool] = []
    dialog.raise_ = lambda: raised.append(True)  # type: ignore[method-assign]

    def second_launch() -> None:
        assert QApplication.activeModalWidget() is dialog
        bring_forward(window)
        dialog.reject()

    QTimer.singleShot(50, second_launch)
    dialog.exec()
    assert raised == [True]


def test_sigterm_quits_cleanly_and_says_it_did_not_ask(tmp_path):
    """Logout without a session manager, systemd, kill: no question possible; it is logged
    and the app closes its store instead of dying mid-write."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    command = [sys.executable, "-m", "posapp", "--data-dir", str(tmp_path / "shop")]
    app = subprocess.Popen(command, cwd=ROOT, env=env, text=True, stderr=subprocess.PIPE)
    try:
        wait_until((tmp_path / "shop" / "comptoir.lock").exists, timeout=30)
        app.send_signal(signal.SIGTERM)
        _out, err = app.communicate(timeout=20)
    finally:
        if app.poll() is None:
            app.kill()
            app.communicate()
    assert app.returncode == 0, err
    assert "SIGTERM" in err and "without the quit question" in err

from __future__ import annotations

import importlib.metadata as md
import threading

import pytest
from hypothesis import settings as hypothesis_settings

from studio.app import plugins as plugins_mod

# The fuzz tests explore the same examples on every run, so a red CI always means a
# change broke something; `pytest --hypothesis-seed=N` explores further by hand.
hypothesis_settings.register_profile("studio", derandomize=True, database=None)
hypothesis_settings.load_profile("studio")

FAKE_EP = md.EntryPoint(name="fake", value="tests.fakes.fake_pack", group="studio.plugins")


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path, monkeypatch):
    """Every test gets its own data folder and no user plugin settings."""
    monkeypatch.setenv("STUDIO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("STUDIO_NO_PLUGINS", raising=False)
    monkeypatch.delenv("STUDIO_LOAD_PLUGINS", raising=False)
    yield


@pytest.fixture(autouse=True)
def _no_leaked_threads():
    """A test must not leave engine threads running (they would leak into the next test)."""
    before = set(threading.enumerate())
    yield
    for t in set(threading.enumerate()) - before:
        if t.name.startswith("studio-"):
            t.join(timeout=5)
            assert not t.is_alive(), f"test leaked running thread {t.name}"


@pytest.fixture
def fake_entry_points(monkeypatch):
    """Make discovery see the fake pack (plus whatever the test appends)."""
    eps = [FAKE_EP]
    real = plugins_mod._entry_points

    def entry_points():
        return [*eps, *[e for e in real() if e.name not in {x.name for x in eps}]]

    monkeypatch.setattr(plugins_mod, "_entry_points", entry_points)
    return eps


@pytest.fixture
def open_window(qtbot, fake_entry_points, tmp_path):
    """Opens main windows on the fake pack, all on one data folder (a second call is
    the window after a restart); every window and studio is closed after the test."""
    from studio.app.studio import Studio
    from studio.ui.main_window import MainWindow

    opened = []

    def open_(fake_image: bool = False):
        studio = Studio(root=tmp_path / "data", backend="thread")
        studio.settings.device = "cpu"
        win = MainWindow(studio)
        qtbot.addWidget(win)
        opened.append((win, studio))
        if fake_image:
            win.panel.modality.setCurrentText("image")
            win.panel.generator.setCurrentIndex(win.panel.generator.findData("fake.image"))
        return win

    yield open_
    for win, studio in opened:
        win.close()
        studio.close()

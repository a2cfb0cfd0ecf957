"""Start-up: a deferred window paints first and its workspaces fill in after (issue #14)."""

import os
import subprocess
import sys

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("pytestqt")

from PySide6.QtWidgets import QApplication, QWidget

from studio.app import sample_library
from studio.app.studio import Studio
from studio.ui import startup
from studio.ui.main_window import MainWindow


@pytest.fixture
def sample_studio(tmp_path):
    studio = Studio(root=tmp_path / "data", backend="thread")
    studio.settings.device = "cpu"
    made = sample_library.build(studio)
    yield studio, made
    studio.close()


def test_deferred_window_builds_its_workspaces_only_after_the_first_paint(qtbot, sample_studio):
    studio, made = sample_studio
    win = MainWindow(studio, deferred=True)
    qtbot.addWidget(win)
    assert not win._built and not hasattr(win, "library")
    win.show()
    qtbot.waitUntil(lambda: win.after_paint.painted)
    qtbot.waitUntil(lambda: win._built)
    # The library fills in after the first paint: every sample item arrives.
    qtbot.waitUntil(lambda: win.library.count() == made, timeout=10000)
    # The profile page has content once it is first shown.
    win.show_view("profile")
    qtbot.waitUntil(lambda: "learned about you" in win.profile.text.toPlainText(),
                    timeout=10000)
    assert win.tabs.count() >= 4
    win.close()


def test_a_window_built_at_once_still_works_as_before(qtbot, sample_studio):
    studio, made = sample_studio
    win = MainWindow(studio)
    qtbot.addWidget(win)
    assert win._built and win.library.count() == made  # the first page is read at once
    win.close()


def test_a_deferred_window_closed_before_its_first_paint_starts_nothing(qtbot, sample_studio):
    studio, _ = sample_studio
    win = MainWindow(studio, deferred=True)
    qtbot.addWidget(win)
    win.close()  # never shown, never built: close must not reach for absent views
    QApplication.processEvents()
    assert not win._built


def test_after_first_paint_runs_queued_work_in_order_and_survives_a_failure(qtbot, caplog):
    widget = QWidget()
    qtbot.addWidget(widget)
    hook = startup.AfterFirstPaint(widget)
    ran = []
    hook.later(lambda: ran.append(1))
    hook.later(lambda: 1 / 0)
    hook.later(lambda: ran.append(3))
    QApplication.processEvents()
    assert ran == []  # nothing before the paint
    widget.show()
    qtbot.waitUntil(lambda: ran == [1, 3])
    assert "deferred start-up step failed" in caplog.text
    hook.later(lambda: ran.append(4))  # queued after the paint: the next turn
    assert ran == [1, 3]
    qtbot.waitUntil(lambda: ran == [1, 3, 4])


def test_first_paint_moment_is_printed_when_asked(qtbot, monkeypatch, capsys):
    monkeypatch.setenv(startup.ENV_FIRST_PAINT, "1")
    widget = QWidget()
    qtbot.addWidget(widget)
    hook = startup.AfterFirstPaint(widget)
    widget.show()
    qtbot.waitUntil(lambda: hook.painted)
    line = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("first-paint ")]
    assert len(line) == 1 and float(line[0].split()[1]) > 0


def test_a_command_imports_only_its_own_module_but_help_lists_them_all():
    one = subprocess.run([sys.executable, "-m", "studio", "gui", "--help"],
                         capture_output=True, text=True, timeout=120, check=False)
    assert one.returncode == 0 and "--screenshot" in one.stdout
    probe = subprocess.run(
        [sys.executable, "-c", "import sys\nfrom studio.cli import main as m\n"
         "m.build_parser('gui')\n"
         "print(' '.join(sorted(x for x in sys.modules if x.endswith('_cmd'))))"],
        capture_output=True, text=True, timeout=120, check=True)
    assert probe.stdout.split() == ["studio.cli.gui_cmd"]
    full = subprocess.run([sys.executable, "-m", "studio", "--help"], capture_output=True,
                          text=True, timeout=120, check=False)
    for name in ("gui", "plugins", "generate", "library", "settings"):
        assert name in full.stdout


def test_system_theme_at_start_up_copies_nothing_and_comes_back_after_a_forced_one(
        qtbot, monkeypatch):
    from studio.ui import theme

    app = QApplication.instance()
    monkeypatch.setattr(theme, "_SYSTEM", None)
    style = app.style().name()
    theme.apply(app, "system")
    assert theme._SYSTEM is None  # nothing forced: nothing to save, nothing reset
    theme.apply(app, "dark")
    theme.apply(app, "system")
    assert app.style().name() == style


def test_a_new_library_index_opens_off_the_ui_thread_after_the_first_paint(qtbot, tmp_path):
    studio = Studio(root=tmp_path / "fresh", backend="thread")  # a first start: no index
    win = MainWindow(studio)
    qtbot.addWidget(win)
    assert studio.library._conn is None
    win.show()
    # Opened before any Generate, so the first submit does not pay for it.
    qtbot.waitUntil(lambda: studio.library._conn is not None, timeout=10000)
    win.close()
    studio.close()


def test_a_damaged_library_opened_ahead_is_still_reported_at_submit(tmp_path):
    class Damaged:
        def open(self):
            raise RuntimeError("the index is damaged")

    thread = startup.open_in_background(Damaged())
    thread.join(10)
    assert not thread.is_alive()  # the error stayed on that thread, nothing raised here


def test_the_waveform_is_scaled_once_per_picture_and_size_not_at_each_playhead_move(qtbot):
    from PySide6.QtGui import QImage

    from studio.ui.music_view import WaveformView

    view = WaveformView()
    qtbot.addWidget(view)
    view.resize(500, 150)
    view.show()
    picture = QImage(2048, 256, QImage.Format.Format_RGB888)
    picture.fill(0x3060A0)
    qtbot.waitExposed(view)
    view.set_wave(picture)
    qtbot.waitUntil(lambda: view._scaled is not None)
    first = view._scaled
    assert first is not None and first.width() == round(500 * view.devicePixelRatioF())
    for step in range(5):  # the playhead moving while it plays
        view.set_fraction(step / 5)
        view.repaint()
    assert view._scaled is first
    view.resize(700, 150)
    qtbot.waitUntil(lambda: view._scaled is not first)
    assert view._scaled.width() == round(
        700 * view.devicePixelRatioF())
    view.set_wave(None)
    view.repaint()  # the placeholder: nothing to scale


def test_studio_gui_paints_then_builds_and_closes_cleanly(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "STUDIO_FIRST_PAINT": "quit",
           "STUDIO_DATA_DIR": str(tmp_path / "gui-data")}
    proc = subprocess.run([sys.executable, "-m", "studio", "gui"], env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    marks = [ln.split()[0] for ln in proc.stdout.splitlines()
             if ln.startswith(("first-paint ", "ready "))]
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert marks == ["first-paint", "ready"]  # painted first, then the workspaces built
    assert "Traceback" not in proc.stderr

"""The window, driven offscreen with pytest-qt on the fake pack."""

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("pytestqt")

from studio.app.studio import Studio
from studio.ui.main_window import MainWindow


@pytest.fixture
def window(open_window):
    return open_window()


def select_fake_image(win):
    win.panel.modality.setCurrentText("image")
    win.panel.generator.setCurrentIndex(win.panel.generator.findData("fake.image"))


def test_form_is_built_from_the_schema(window):
    select_fake_image(window)
    assert window.panel.task.count() == 2
    assert window.panel.params.values() == {}  # all defaults
    req = window.panel.build_request()
    assert req.generator == "fake.image" and req.task == "txt2img"


def test_generate_runs_a_job_and_shows_it_in_queue_and_library(window, qtbot, tmp_path):
    select_fake_image(window)
    window.panel.prompt.setPlainText("a red fox")
    window.panel.random_seed.setChecked(False)
    window.panel.seed.setValue(9)
    window.panel.generate.click()
    assert len(window.jobs.rows) == 1
    row = next(iter(window.jobs.rows.values()))
    qtbot.waitUntil(lambda: row.bar.format() == "Done", timeout=10000)
    assert window.library.grid.count() == 1
    art = window.studio.library.list()[0]
    assert art.prompt == "a red fox" and art.seed == 9
    window.grab().save(str(tmp_path / "window.png"))


def test_bad_input_is_reported_and_the_prompt_is_kept(window):
    select_fake_image(window)
    window.panel.task.setCurrentText("img2img")
    window.panel.prompt.setPlainText("keep me")
    window.panel.generate.click()
    assert "needs the input" in window.panel.message.text()
    assert window.panel.prompt.toPlainText() == "keep me"
    assert window.jobs.rows == {}


def test_writing_continue_streams_into_the_editor(window, qtbot):
    window.writing.editor.setPlainText("Once")
    cursor = window.writing.editor.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    window.writing.editor.setTextCursor(cursor)
    window.writing.continue_button.click()
    qtbot.waitUntil(lambda: window.studio.library.count() == 1, timeout=10000)
    qtbot.waitUntil(lambda: window.writing.editor.toPlainText()
                    == window.studio.library.list()[0].text, timeout=5000)


def test_delete_and_undo_in_library(window, qtbot):
    select_fake_image(window)
    window.panel.generate.click()
    qtbot.waitUntil(lambda: window.library.grid.count() == 1, timeout=10000)
    aid = window.studio.library.list()[0].id
    window.library.delete(aid)
    assert window.library.grid.count() == 0
    window.library.undo_delete()
    assert window.library.grid.count() == 1 and window.studio.library.get(aid).trashed is None


def test_suggestions_sidebar_shows_reasons_and_apply_fills_the_prompt(window, qtbot):
    select_fake_image(window)
    window.suggestions.refresh_now().result(timeout=60)
    qtbot.waitUntil(lambda: len(window.suggestions.cards()) > 0, timeout=10000)
    cards = window.suggestions.cards()
    assert all(c.suggestion.reason for c in cards)
    prompt_card = next((c for c in cards if c.suggestion.kind in ("prompt", "style")), None)
    assert prompt_card is not None
    prompt_card.apply_button.click()
    assert window.panel.prompt.toPlainText() == prompt_card.suggestion.text
    qtbot.waitUntil(lambda: "suggestion_apply" in [e.type for e in
                                                    window.studio.history.events()],
                    timeout=10000)


def test_sidebar_learns_from_generations(window, qtbot, tmp_path):
    select_fake_image(window)
    for prompt in ("a red fox, watercolor, snow", "a red fox, watercolor, forest",
                   "a red fox, ink, forest"):
        window.panel.prompt.setPlainText(prompt)
        window.panel.generate.click()
        qtbot.waitUntil(lambda n=prompt: any(a.prompt == n for a in
                                             window.studio.library.list()), timeout=10000)
    window.panel.prompt.setPlainText("a red fox, watercolor")
    window.suggestions.refresh_now().result(timeout=60)
    qtbot.waitUntil(lambda: len(window.suggestions.cards()) > 0, timeout=10000)
    texts = " | ".join(c.suggestion.text for c in window.suggestions.cards())
    assert "fox" in texts  # personal, not only the cold-start catalogue
    window.grab().save(str(tmp_path / "sidebar.png"))


def test_failed_generation_never_crashes_the_window(window, qtbot):
    select_fake_image(window)
    window.panel.params.set_values({"crash": True})
    window.panel.generate.click()
    row = next(iter(window.jobs.rows.values()))
    qtbot.waitUntil(lambda: row.bar.format() == "Failed", timeout=10000)
    assert "boom" in row.bar.toolTip()
    window.panel.params.set_values({"crash": False})
    window.panel.generate.click()
    qtbot.waitUntil(lambda: window.studio.library.count() == 1, timeout=10000)


def test_profile_page_describes_the_user_and_pauses_recording(window, qtbot):
    select_fake_image(window)
    window.panel.prompt.setPlainText("a heron, watercolor")
    window.panel.generate.click()
    qtbot.waitUntil(lambda: window.studio.library.count() == 1, timeout=10000)
    window.profile.refresh().result(timeout=30)
    qtbot.waitUntil(lambda: "watercolor" in window.profile.text.toPlainText(), timeout=5000)
    window.profile.record_button.click()
    assert window.studio.settings.recording is False
    assert "paused" in window.profile.state.text()
    n = window.studio.history.count()
    window.panel.generate.click()
    qtbot.waitUntil(lambda: window.studio.library.count() == 2, timeout=10000)
    assert window.studio.history.count() == n  # nothing recorded while paused


def test_the_window_process_never_imports_torch(tmp_path):
    """The GUI's default backend is the worker process: torch stays out of the UI process."""
    import subprocess
    import sys

    code = (
        "import sys, os\n"
        "os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from studio.app.studio import Studio\n"
        "from studio.ui.main_window import MainWindow\n"
        "studio = Studio(backend='process')\n"
        "w = MainWindow(studio); w.show(); app.processEvents()\n"
        "w.suggestions.refresh_now().result(60); app.processEvents()\n"
        "w.close(); studio.close()\n"
        "print('HEAVY', [m for m in ('torch', 'diffusers', 'transformers') "
        "if m in sys.modules])\n"
    )
    env = {**os.environ, "STUDIO_DATA_DIR": str(tmp_path / "d")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, timeout=120, check=False)
    assert "HEAVY []" in out.stdout, out.stdout + out.stderr


def test_jobs_from_the_last_session_are_shown(qtbot, fake_entry_points, tmp_path):
    import json as _json

    from studio.api import GenerationRequest
    from studio.app.engine import queue_migrations
    from studio.app.migrations import connect

    root = tmp_path / "data"
    root.mkdir(parents=True, exist_ok=True)
    conn = connect(str(root / "queue.sqlite"))
    queue_migrations.migrate(conn)
    req = GenerationRequest(modality="image", generator="fake.image", prompt="left over",
                            seed=1, params={"steps": 2})
    conn.execute("INSERT INTO jobs VALUES (?, ?, 0, 1, 'running', '', 0, NULL)",
                 ("j1", _json.dumps(req.to_dict())))
    conn.close()
    studio = Studio(root=root, backend="thread", persist_queue=True)
    studio.settings.device = "cpu"
    win = MainWindow(studio)
    qtbot.addWidget(win)
    try:
        row = win.jobs.rows["j1"]
        assert row.bar.format() == "Interrupted"
    finally:
        win.close()
        studio.close()


def test_a_model_that_is_not_downloaded_offers_a_download(window, monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    select_fake_image(window)
    window.panel.model.setEditText("someone/not-here")
    assert not window.panel.download.isHidden()
    assert "not downloaded" in window.panel.download.label.text()
    window.panel.model.setEditText(str(tmp_path))  # a local folder needs no download
    assert window.panel.download.isHidden()


def test_start_img2img_from_a_library_image(window, qtbot):
    select_fake_image(window)
    window.panel.prompt.setPlainText("a lake")
    window.panel.generate.click()
    qtbot.waitUntil(lambda: window.studio.library.count() == 1, timeout=10000)
    art = window.studio.library.list()[0]
    window.panel.prompt.clear()
    window.start_from_artifact(art, "img2img")
    assert window.panel.task.currentText() == "img2img"
    assert window.panel.inputs["image"].text() == f"artifact:{art.id}"
    assert window.panel.prompt.toPlainText() == "a lake"
    window.panel.generate.click()
    qtbot.waitUntil(lambda: window.studio.library.count() == 2, timeout=10000)
    child = window.studio.library.list()[0]
    assert child.task == "img2img" and child.parent == art.id
    window.start_from_artifact(art, "outpaint")  # no installed generator offers it
    assert "No installed generator can do outpaint" in window.statusBar().currentMessage()


def test_a_job_event_delivered_after_close_is_ignored(window, qtbot):
    from studio.app.jobs import JobEvent

    window.close()
    # An engine event still queued in Qt when the window closed: it must not try to
    # reach the profile's and the sidebar's stopped worker pools.
    window.on_event(JobEvent(kind="done", job_id="late"))
    assert window.profile.refresh() is None
    assert not window.suggestions._timer.isActive()

"""The writing desk: Markdown files, the recovery copy, word count, the model on the
desk, directions really sent, Stop (issue #13)."""

import os
import threading

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("pytestqt")

from studio.app.suggest.types import Suggestion
from studio.app.ui_state import DeskRecovery
from tests.fakes import fake_pack


@pytest.fixture
def open_window(open_window, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    return open_window


def use_generator(desk, gid):
    index = desk.generator.findData(gid)
    if index < 0:
        pytest.skip(f"{gid} is not installed")
    desk.generator.setCurrentIndex(index)


def captured_requests(win):
    """Requests the desk submits, kept instead of run (no model loads)."""
    seen = []
    win.writing.requested.disconnect(win.submit)
    win.writing.requested.connect(lambda req, _cb: seen.append(req))
    return seen


def test_save_and_open_round_trip(open_window, tmp_path):
    desk = open_window().writing
    assert desk.path_label.text() == "Untitled"
    desk.editor.setPlainText("# Herons\n\nGrey birds stand in the shallows.")
    assert desk.modified and "unsaved" in desk.path_label.text()
    doc = tmp_path / "docs" / "herons.md"
    doc.parent.mkdir()
    assert desk.save_to(doc)
    assert doc.read_text(encoding="utf-8") == "# Herons\n\nGrey birds stand in the shallows."
    assert not desk.modified and desk.path_label.text() == str(doc.resolve())
    desk.editor.setPlainText("something else")
    other = tmp_path / "docs" / "other.md"
    other.write_text("Ünïcode prose, kept as written.\n", encoding="utf-8")
    assert desk.open_path(other)
    assert desk.editor.toPlainText() == "Ünïcode prose, kept as written.\n"
    assert desk.path == str(other.resolve()) and not desk.modified


def test_a_file_that_cannot_be_read_is_said_and_the_text_kept(open_window, tmp_path):
    desk = open_window().writing
    desk.editor.setPlainText("keep me")
    bad = tmp_path / "bad.md"
    bad.write_bytes(b"\xff\xfe\x00not utf-8 \xc3")
    assert not desk.open_path(bad)
    assert "not UTF-8" in desk.message.text() and desk.editor.toPlainText() == "keep me"
    assert not desk.open_path(tmp_path / "missing.md")
    assert "Cannot open" in desk.message.text()


def test_unsaved_text_comes_back_after_close(open_window, tmp_path):
    win = open_window()
    desk = win.writing
    doc = tmp_path / "story.md"
    desk.editor.setPlainText("Chapter one.")
    desk.save_to(doc)
    desk.editor.appendPlainText("Not saved yet.")
    win.close()
    again = open_window().writing
    assert again.editor.toPlainText() == "Chapter one.\nNot saved yet."
    assert again.path == str(doc.resolve()) and again.modified
    assert doc.read_text() == "Chapter one."  # the recovery copy never touches the file


def test_the_autosave_timer_writes_the_recovery_copy(open_window, qtbot, tmp_path):
    win = open_window()
    desk = win.writing
    desk._autosave.setInterval(10)
    desk.editor.setPlainText("typed, then the power went out")
    qtbot.waitUntil(lambda: (DeskRecovery.load(tmp_path / "data") or DeskRecovery("", "", 0))
                    .text == "typed, then the power went out", timeout=5000)
    rec = DeskRecovery.load(tmp_path / "data")
    assert rec.modified and rec.path == ""


def test_a_saved_document_reopens_from_its_file(open_window, tmp_path):
    win = open_window()
    doc = tmp_path / "poem.md"
    win.writing.editor.setPlainText("first draft")
    win.writing.save_to(doc)
    win.close()
    doc.write_text("edited in another editor")
    again = open_window().writing
    assert again.editor.toPlainText() == "edited in another editor" and not again.modified


def test_word_count(open_window, qtbot):
    desk = open_window().writing
    desk.editor.setPlainText("One two  three\nfour.")
    qtbot.waitUntil(lambda: desk.words.text() == "4 words", timeout=3000)
    assert desk.word_count() == 4
    cursor = desk.editor.textCursor()
    cursor.setPosition(0)
    cursor.setPosition(7, cursor.MoveMode.KeepAnchor)
    desk.editor.setTextCursor(cursor)
    qtbot.waitUntil(lambda: desk.words.text() == "4 words (2 selected)", timeout=3000)


def test_a_direction_from_the_sidebar_is_carried_by_continue_and_rewrite(open_window):
    win = open_window()
    desk = win.writing
    use_generator(desk, "text.transformers")
    seen = captured_requests(win)
    direction = Suggestion("s1", "direction", "continue with a dialogue", "text",
                           "A direction to continue", 1.0, "catalogue")
    win.apply_suggestion(direction)
    assert win.tabs.currentWidget() is desk
    desk.editor.setPlainText("They met at the station.")
    cursor = desk.editor.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    desk.editor.setTextCursor(cursor)
    desk.continue_button.click()
    desk.params.set_values({"temperature": 0.3})
    cursor.setPosition(0)
    cursor.setPosition(8, cursor.MoveMode.KeepAnchor)
    desk.editor.setTextCursor(cursor)
    desk.rewrite_button.click()
    assert [r.task for r in seen] == ["continue", "rewrite"]
    cont, rewrite = seen
    assert cont.params["direction"] == "continue with a dialogue"
    assert cont.prompt == "They met at the station." and cont.generator == "text.transformers"
    assert rewrite.params["instruction"] == "continue with a dialogue"
    assert rewrite.params["temperature"] == 0.3 and rewrite.prompt == "They met"
    # What the desk sends is what the engine accepts.
    info = win.studio.plugins.generator("text.transformers")
    assert info.params.resolve(cont.params, "continue")["direction"] == direction.text


def test_a_generator_without_a_direction_says_so_instead_of_dropping_it(open_window):
    win = open_window()
    desk = win.writing
    use_generator(desk, "fake.text")
    seen = captured_requests(win)
    desk.instruction.setText("introduce a turn")
    desk.continue_button.click()
    assert seen == [] and "takes no direction" in desk.message.text()
    desk.instruction.clear()
    desk.continue_button.click()
    assert len(seen) == 1 and seen[0].params == {}


def test_chat_sends_the_message_and_answers_at_the_cursor(open_window):
    win = open_window()
    desk = win.writing
    use_generator(desk, "text.transformers")
    seen = captured_requests(win)
    desk.instruction.setText("What rhymes with orange?")
    desk.chat_button.click()
    assert seen[0].task == "chat" and seen[0].prompt == "What rhymes with orange?"
    assert desk.editor.toPlainText() == ""  # nothing is added before the job is queued


def test_the_desk_model_and_parameters_are_remembered(open_window):
    win = open_window()
    use_generator(win.writing, "text.transformers")
    win.writing.params.set_values({"max_new_tokens": 64})
    win.close()
    desk = open_window().writing
    assert desk.generator.currentData() == "text.transformers"
    assert desk.params.values() == {"max_new_tokens": 64}


def test_a_model_not_downloaded_is_caught_on_the_desk(open_window):
    win = open_window()
    desk = win.writing
    use_generator(desk, "text.transformers")
    desk.model.setEditText("someone/missing-llm")
    desk.continue_button.click()
    assert "not downloaded yet" in desk.message.text() and win.jobs.rows == {}
    assert not desk.download.isHidden()


def test_stop_cancels_the_running_job(open_window, qtbot):
    win = open_window()
    desk = win.writing
    use_generator(desk, "fake.text")
    gate = fake_pack.GATES.setdefault("desk", threading.Event())
    gate.clear()
    try:
        # An image job holds the worker, so the text job waits in the queue.
        win.panel.modality.setCurrentText("image")
        win.panel.generator.setCurrentIndex(win.panel.generator.findData("fake.image"))
        win.panel.params.set_values({"gate": "desk"})
        win.panel.generate.click()
        desk.editor.setPlainText("Once")
        desk.continue_button.click()
        assert desk.stop_button.isEnabled()
        job_id = next(iter(desk._targets))
        desk.stop_button.click()
        qtbot.waitUntil(lambda: win.studio.engine.job(job_id).state == "cancelled",
                        timeout=5000)
        qtbot.waitUntil(lambda: not desk.stop_button.isEnabled(), timeout=5000)
        assert desk.editor.toPlainText() == "Once"
    finally:
        gate.set()
    qtbot.waitUntil(lambda: win.studio.library.count() == 1, timeout=10000)


def test_continue_streams_into_the_editor(open_window, qtbot, tmp_path):
    win = open_window()
    desk = win.writing
    use_generator(desk, "fake.text")
    desk.editor.setPlainText("Once")
    cursor = desk.editor.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    desk.editor.setTextCursor(cursor)
    desk.continue_button.click()
    qtbot.waitUntil(lambda: win.studio.library.count() == 1, timeout=10000)
    qtbot.waitUntil(lambda: desk.editor.toPlainText() == win.studio.library.list()[0].text,
                    timeout=5000)
    win.tabs.setCurrentWidget(desk)
    win.resize(1280, 820)
    win.grab().save(str(tmp_path / "desk.png"))


def test_a_refused_desk_request_is_reported_on_the_desk(open_window, monkeypatch):
    from studio.api import ParamError

    win = open_window()
    desk = win.writing
    use_generator(desk, "text.transformers")

    def refuse(_request):
        raise ParamError("temperature must be <= 2, got 3")

    monkeypatch.setattr(win.studio.engine, "submit", refuse)
    desk.editor.setPlainText("Once")
    desk.continue_button.click()
    assert desk.message.text() == "temperature must be <= 2, got 3"
    assert win.panel.message.text() == "" and win.jobs.rows == {}
    assert desk.params.invalid_fields() == ["temperature"] and not desk.params.isHidden()

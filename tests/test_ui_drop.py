"""Drops on the main window: an image restores its settings, a folder is imported (issue #19)."""

import os
import threading

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("pytestqt")

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from studio.app import library_import
from tests.test_library_import import a1111_png, make_folder, write_png


@pytest.fixture
def window(open_window):
    return open_window(fake_image=True)


def mime_for(*paths):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def drop_event(mime):
    # The event keeps only a pointer to ``mime``: the caller must hold it alive.
    return QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)


def status(win):
    return win.statusBar().currentMessage()


def test_dropping_an_image_restores_its_settings(window, qtbot, tmp_path):
    image = write_png(tmp_path / "from_a1111.png", {"parameters": (
        "a lighthouse in a storm, oil painting\nNegative prompt: blurry\n"
        "Steps: 33, Sampler: DDIM, CFG scale: 7, Seed: 4242, Size: 64x64, Model: sdxl_base"
    )}, seed=1)
    mime = mime_for(image)
    event = drop_event(mime)
    window.dropEvent(event)
    assert event.isAccepted()
    qtbot.waitUntil(lambda: "Settings restored" in status(window), timeout=10000)
    assert status(window) == "Settings restored from an AUTOMATIC1111 image"
    panel = window.panel
    assert panel.prompt.toPlainText() == "a lighthouse in a storm, oil painting"
    assert panel.params.values()["steps"] == 33
    assert panel.params.values()["scheduler"] == "ddim"
    assert not panel.random_seed.isChecked() and panel.seed.value() == 4242
    assert panel.model_ref() != "sdxl_base"  # another tool's checkpoint is not loadable
    window.resize(1280, 820)
    assert window.grab().save("/tmp/drop.png")


def test_a_file_without_metadata_gives_a_message_not_a_crash(window, qtbot, tmp_path):
    window.panel.prompt.setPlainText("keep me")
    plain = write_png(tmp_path / "plain.png", {}, seed=2)
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"\x89PNG\r\n\x1a\n broken")
    for path in (plain, junk):
        window.statusBar().clearMessage()
        assert window.drops.handle(mime_for(path))
        qtbot.waitUntil(lambda: "No settings restored" in status(window), timeout=10000)
        assert path.name in status(window)
    assert window.panel.prompt.toPlainText() == "keep me"


def test_only_local_files_are_accepted(window, tmp_path):
    text = QMimeData()
    text.setText("just words")
    web = QMimeData()
    web.setUrls([QUrl("https://example.com/a.png")])
    for mime in (text, web):
        assert not window.drops.accepts(mime) and not window.drops.handle(mime)
    assert window.drops.accepts(mime_for(tmp_path))


def test_dropping_a_folder_imports_it_on_a_worker(window, qtbot, tmp_path):
    src = make_folder(tmp_path / "src", 4)
    write_png(src / "plain.png", {}, seed=9)
    main_thread = threading.get_ident()
    threads = []
    real = library_import._examine

    def spy(*args, **kwargs):
        threads.append(threading.get_ident())
        return real(*args, **kwargs)

    library_import._examine = spy
    try:
        mime = mime_for(src)
        window.dropEvent(drop_event(mime))
        assert window.drops.importing and window.drops.cancel_button.isVisibleTo(window)
        qtbot.waitUntil(lambda: not window.drops.importing, timeout=20000)
    finally:
        library_import._examine = real
    assert main_thread not in threads and len(threads) == 5
    assert window.studio.library.count() == 4
    assert window.library.grid.count() == 4  # the view refreshed
    assert "Imported: 4 new image(s) of 5" in status(window)
    assert "1 without generation metadata" in status(window)
    assert not window.drops.bar.isVisibleTo(window)


def test_cancel_stops_the_import_within_one_file(window, qtbot, tmp_path):
    src = make_folder(tmp_path / "src", 6)
    started, go = threading.Event(), threading.Event()
    real = library_import._examine

    def gated(*args, **kwargs):
        started.set()
        assert go.wait(10)
        return real(*args, **kwargs)

    library_import._examine = gated
    try:
        window.drops.handle(mime_for(src))
        assert started.wait(10)
        window.drops.cancel_button.click()
        go.set()
        qtbot.waitUntil(lambda: not window.drops.importing, timeout=20000)
    finally:
        library_import._examine = real
    # The file being read when Cancel was pressed is the last one that may land.
    assert status(window).startswith("Import cancelled:")
    assert window.studio.library.count() <= 1


def test_a_dropped_image_is_read_off_the_ui_thread(window, qtbot, tmp_path):
    image = a1111_png(tmp_path / "x.png", "a quiet forest", seed=5)
    readers = []
    real = library_import.read_metadata

    def spy(path):
        readers.append(threading.get_ident())
        return real(path)

    library_import.read_metadata = spy
    try:
        window.drops.handle(mime_for(image))
        qtbot.waitUntil(lambda: "Settings restored" in status(window), timeout=10000)
    finally:
        library_import.read_metadata = real
    assert readers and threading.get_ident() not in readers
    assert window.panel.prompt.toPlainText() == "a quiet forest"


def test_the_status_names_the_tool_a_file_came_from(window, qtbot, tmp_path):
    import json

    graph = {"3": {"class_type": "KSampler", "inputs": {
                "seed": 77, "steps": 12, "cfg": 5.0, "sampler_name": "euler",
                "positive": ["6", 0], "negative": ["7", 0], "latent_image": ["5", 0]}},
             "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "neon city at night"}},
             "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "blurry"}},
             "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 64, "height": 64}}}
    image = write_png(tmp_path / "ComfyUI_0001.png", {"prompt": json.dumps(graph)}, seed=3)
    window.drops.handle(mime_for(image))
    qtbot.waitUntil(lambda: "Settings restored" in status(window), timeout=10000)
    assert status(window) == "Settings restored from a ComfyUI image"
    assert window.panel.prompt.toPlainText() == "neon city at night"
    assert window.panel.seed.value() == 77 and window.panel.params.values()["steps"] == 12

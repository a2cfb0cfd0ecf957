"""The first-run welcome: one model per modality for the machine, Download each, the
offline text model ready at once; dismissed for good (issue #13)."""

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("pytestqt")

from studio.api import GeneratorInfo, ModelRef
from studio.app.model_catalog import GB
from studio.app.studio import Studio
from studio.app.ui_state import STATE_FILE, UiState
from studio.ui.main_window import MainWindow
from studio.ui.welcome import WelcomePage, should_welcome


@pytest.fixture
def hub(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    return tmp_path / "hub"


@pytest.fixture
def open_window(qtbot, fake_entry_points, tmp_path, hub):
    opened = []

    def open_():
        studio = Studio(root=tmp_path / "data", backend="thread")
        win = MainWindow(studio)
        qtbot.addWidget(win)
        opened.append((win, studio))
        return win

    yield open_
    for win, studio in opened:
        win.close()
        studio.close()


def cache_repo(hub, ref):
    repo = hub / f"models--{ref.replace('/', '--')}"
    (repo / "snapshots" / "abc").mkdir(parents=True)
    (repo / "blobs").mkdir()
    (repo / "blobs" / "w").write_bytes(b"0")


def test_welcome_on_an_empty_cache_and_never_again_once_dismissed(open_window, qtbot,
                                                                  tmp_path):
    win = open_window()
    assert win.welcome is not None
    assert win.tabs.currentWidget() is win.welcome and win.tabs.tabText(0) == "Welcome"
    # The GPU's memory is read on a worker; the rows follow.
    qtbot.waitUntil(lambda: bool(win.welcome.rows), timeout=10000)
    win.welcome.dismiss_button.click()
    assert win.welcome is None and "Welcome" not in [win.tabs.tabText(i)
                                                     for i in range(win.tabs.count())]
    assert UiState.load(tmp_path / "data" / STATE_FILE).welcome_dismissed
    win.close()
    assert open_window().welcome is None


def test_no_welcome_once_a_model_is_downloaded(hub):
    image = GeneratorInfo(id="i", name="i", modality="image", tasks=("t",), factory="m:C",
                          models=(ModelRef("s/turbo", "Turbo", 6.9),))
    assert should_welcome([image], None)
    cache_repo(hub, "s/turbo")
    assert not should_welcome([image], None)


def test_one_model_per_modality_with_sizes_and_a_download_each(open_window, tmp_path):
    win = open_window()
    page = win.show_welcome(gpu_bytes=8 * GB)
    assert page.rows and win.welcome is page
    for rec, download in page.rows.values():
        if rec.available:
            assert download is None  # bundled (or here already): nothing to fetch
        else:
            assert download is not None and download.ref == rec.model.ref
            assert download.button.text() == "Download" and not download.isHidden()
            if rec.model.size_gb:
                assert f"{rec.model.size_gb:.1f} GB to download" == download.label.text()
    assert "a GPU with 8.0 GB" in page.intro.text()
    win.resize(1280, 820)
    win.grab().save(str(tmp_path / "welcome.png"))


def test_the_bundled_text_model_works_now_and_the_page_says_so(open_window):
    win = open_window()
    if win.studio.plugins.generators.get("text.transformers") is None:
        pytest.skip("the writing pack is not installed")
    page = win.show_welcome(gpu_bytes=None)
    rec, download = page.rows["text"]
    assert rec.model.bundled and rec.available and download is None
    assert "works now, offline" in rec.why
    assert "no GPU found" in page.intro.text()
    # "Works now: try it" takes the user to the desk.
    assert page.ready["text"].text() == "Works now: try it"
    page.ready["text"].click()
    assert win.tabs.currentWidget() is win.writing


def test_a_recommended_model_fits_the_gpu(qtbot, hub):
    gen = GeneratorInfo(id="v", name="v", modality="video", tasks=("t",), factory="m:C",
                        models=(ModelRef("a/huge", "Huge", 40.0), ModelRef("a/small", "Small",
                                                                          5.0)),
                        default_model="a/huge")

    class Host:
        generators = {"v": gen}

    page = WelcomePage(Host(), gpu_bytes=16 * GB)
    qtbot.addWidget(page)
    rec, download = page.rows["video"]
    assert rec.model.ref == "a/small" and "largest that fits" in rec.why
    assert download.ref == "a/small"


def test_a_download_from_the_welcome_reaches_the_model_pickers(open_window, hub):
    win = open_window()
    win.panel.modality.setCurrentText("image")
    win.panel.generator.setCurrentIndex(win.panel.generator.findData("fake.image"))
    page = win.show_welcome(gpu_bytes=None)
    assert win.panel.model.findData("someone/fresh") < 0
    cache_repo(hub, "someone/fresh")
    page.downloaded.emit("someone/fresh")
    win.model_scan.wait()
    assert win.panel.model.findData("someone/fresh") >= 0
    assert win.writing.model.findData("someone/fresh") >= 0


def test_try_now_opens_the_workspace_of_its_modality(open_window):
    win = open_window()
    page = win.show_welcome(gpu_bytes=None)
    image_ready = page.ready.get("image")
    if image_ready is None:
        pytest.skip("no image model works without a download here")
    win.panel.modality.setCurrentText("text")
    image_ready.click()
    assert win.panel.modality.currentText() == "image"
    assert win.tabs.currentWidget() is win.canvas

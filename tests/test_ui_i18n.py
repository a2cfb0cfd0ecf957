"""The window in Simplified Chinese: the catalogue loads, and it covers the window.

What counts as untranslated, and what is left out on purpose (the packs' and the
app layer's own words, the user's data, numbers), is defined in tests/ui_texts.py.
"""

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("pytestqt")

from PySide6.QtCore import QCoreApplication, QLocale, Qt
from PySide6.QtWidgets import QApplication

from studio.app import sample_library
from studio.app.studio import Studio
from studio.ui import i18n
from studio.ui.main_window import MainWindow
from studio.ui.suggestions_view import SuggestionCard
from tests.ui_texts import leftover, pack_data, untranslated, visible_texts

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def chinese(qapp):
    assert i18n.install_translator(qapp, "zh_CN") == "zh_CN"
    yield qapp
    i18n.install_translator(qapp, "en")


def build_window(qtbot, root):
    studio = Studio(root=root, backend="thread")
    studio.settings.device = "cpu"
    win = MainWindow(studio)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win, studio


def test_the_chinese_catalogue_loads_and_translates(chinese):
    assert QCoreApplication.translate("GeneratePanel", "Generate") == "生成"
    # A plural form: the count goes into the sentence.
    assert QCoreApplication.translate("WritingView", "%n words", "", 3) == "3 词"


def test_english_needs_no_catalogue_and_removes_the_chinese_one(qapp):
    assert i18n.install_translator(qapp, "zh_CN") == "zh_CN"
    assert i18n.install_translator(qapp, "en") == "en"
    assert QCoreApplication.translate("GeneratePanel", "Generate") == "Generate"


def test_system_follows_the_locale():
    assert i18n.resolve("system", QLocale(QLocale.Language.Chinese,
                                          QLocale.Country.China)) == "zh_CN"
    assert i18n.resolve("system", QLocale(QLocale.Language.Chinese,
                                          QLocale.Country.Singapore)) == "zh_CN"
    # Traditional Chinese is not what the catalogue holds: English rather than a
    # script the reader did not ask for.
    assert i18n.resolve("system", QLocale(QLocale.Language.Chinese,
                                          QLocale.Country.Taiwan)) == "en"
    assert i18n.resolve("system", QLocale(QLocale.Language.German,
                                          QLocale.Country.Germany)) == "en"
    assert i18n.resolve("zh_CN") == "zh_CN"
    assert i18n.resolve("en") == "en"
    assert i18n.resolve("klingon") == "en"


def test_a_missing_catalogue_leaves_the_window_in_english(qapp, tmp_path, caplog):
    assert i18n.install_translator(qapp, "zh_CN", folder=tmp_path) == "en"
    assert "could not be loaded" in caplog.text
    assert QCoreApplication.translate("GeneratePanel", "Generate") == "Generate"


def test_the_shipped_catalogue_has_no_unfinished_message():
    root = ET.parse(i18n.I18N_DIR / "studio_zh_CN.ts").getroot()
    messages = list(root.iter("message"))
    assert len(messages) > 200
    unfinished = [m.findtext("source") for m in messages
                  if m.find("translation").get("type") == "unfinished"]
    assert unfinished == []
    assert (i18n.I18N_DIR / "studio_zh_CN.qm").stat().st_size > 0


def test_the_untranslated_check_finds_english():
    # The check itself must be able to fail: English left in a Chinese text is found,
    # pack data and glossary words are not.
    assert leftover("生成", []) == []
    assert leftover("Generate", []) == ["Generate"]
    assert leftover("种子 42 · sample-model · PNG", ["sample-model"]) == []
    assert leftover("已保存 Untitled.md", []) == ["Untitled", "md"]


def test_every_string_of_the_main_window_is_translated(chinese, qtbot, fake_entry_points,
                                                      tmp_path):
    win, studio = build_window(qtbot, tmp_path / "data")
    try:
        sample_library.build(studio)
        win.library.refresh()
        win.suggestions.set_context()
        learning = QCoreApplication.translate("SuggestionsView", "Learning from your history…")
        qtbot.waitUntil(lambda: win.suggestions.status.text() != learning, timeout=10000)
        texts = visible_texts(win)
        assert len(texts) > 100  # the walk reached the panel, tabs, docks, menus
        data = pack_data(studio)
        for card in win.suggestions.findChildren(SuggestionCard):
            # A suggestion's text, reason and evidence are the suggestion engine's words.
            s = card.suggestion
            data |= {s.text, s.reason, card.text.text(), card.reason.text(),
                     s.source.replace("_", " "), *getattr(s, "evidence", ())}
        if win.welcome is not None:
            # Why a model is recommended is the recommender's sentence (the app layer).
            data |= {rec.why for rec, _row in win.welcome.rows.values()}
        missing = untranslated(texts, data)
        assert missing == [], "untranslated:\n" + "\n".join(missing)
    finally:
        win.close()
        studio.close()


def test_the_english_window_is_english(qapp, qtbot, fake_entry_points, tmp_path):
    # The same walk over the English window finds English: the check above is not
    # passing because it saw no text.
    i18n.install_translator(qapp, "en")
    win, studio = build_window(qtbot, tmp_path / "data")
    try:
        missing = untranslated(visible_texts(win), pack_data(studio))
        assert len(missing) > 50
    finally:
        win.close()
        studio.close()


def test_launch_and_the_screenshot_install_the_translator(monkeypatch, tmp_path):
    from studio.ui import screenshot

    calls = []
    monkeypatch.setattr(i18n, "install_translator",
                        lambda app, language="system", **_k: calls.append(language))
    monkeypatch.setattr(screenshot, "_settle", lambda *a, **k: None)
    monkeypatch.setattr(sample_library, "build", lambda studio: 0)
    QApplication.instance() or QApplication([])
    screenshot.take(tmp_path / "shot.png", language="zh_CN")
    assert calls == ["zh_CN"]


def test_gui_screenshot_takes_a_language(monkeypatch, tmp_path):
    import argparse

    from studio.cli import gui_cmd
    from studio.ui import screenshot

    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    monkeypatch.setenv("QT_SCALE_FACTOR", "1")
    seen = {}
    monkeypatch.setattr(screenshot, "take", lambda path, **kw: seen.update(kw))
    parser = argparse.ArgumentParser()
    gui_cmd.add_parser(parser.add_subparsers())
    args = parser.parse_args(["gui", "--screenshot", str(tmp_path / "s.png"),
                              "--lang", "zh_CN"])
    assert gui_cmd.run(args) == 0
    assert seen["language"] == "zh_CN"
    assert parser.parse_args(["gui", "--screenshot", "x.png"]).lang == "en"
    with pytest.raises(SystemExit):
        parser.parse_args(["gui", "--lang", "fr"])


def _messages(ts) -> set[tuple[str, str]]:
    root = ET.parse(ts).getroot()
    return {(c.findtext("name"), m.findtext("source")) for c in root.iter("context")
            for m in c.iter("message")
            if m.find("translation").get("type") not in ("obsolete", "vanished")}


def test_the_catalogue_holds_every_string_the_window_marks(tmp_path):
    # A tr() string added without `make translations` would show in English.
    lupdate = Path(sys.executable).with_name("pyside6-lupdate")
    if not lupdate.exists():
        pytest.skip("pyside6-lupdate is not installed beside this Python")
    fresh = tmp_path / "fresh.ts"
    subprocess.run([str(lupdate), "-extensions", "py", str(ROOT / "studio" / "ui"),
                    "-ts", str(fresh)], check=True, capture_output=True, timeout=120)
    missing = _messages(fresh) - _messages(i18n.I18N_DIR / "studio_zh_CN.ts")
    assert sorted(missing) == [], "run `make translations` and translate these"


# -- the packs' own words (studio.app.pack_i18n) ------------------------------------------


@pytest.fixture(scope="module")
def builtin_host():
    from studio.app.plugins import PluginHost

    host = PluginHost()
    host.discover()
    return host


def test_every_builtin_form_is_chinese(chinese, qtbot, builtin_host):
    # Each built-in generator's form, task by task: labels, help tooltips, choices and
    # Auto switches, whatever the panel shows first in the window test.
    from studio.app.pack_i18n import PackTexts
    from studio.ui.params_form import ParamsForm

    texts = PackTexts(builtin_host, i18n.language())
    checked = 0
    for gid, info in builtin_host.generators.items():
        if not builtin_host.records[builtin_host.generator_plugin[gid]].builtin:
            continue
        for task in info.tasks:
            form = ParamsForm()
            qtbot.addWidget(form)
            form.set_schema(info.params, task, texts.for_generator(gid))
            ids = {p.name for p in info.params.params}
            missing = untranslated(visible_texts(form), ids)
            assert missing == [], f"{gid} {task}:\n" + "\n".join(missing)
            checked += 1
    assert checked >= 15


def test_a_translated_choice_keeps_its_value(chinese, qtbot, builtin_host):
    from studio.app.pack_i18n import PackTexts
    from studio.ui.params_form import ParamsForm

    form = ParamsForm()
    qtbot.addWidget(form)
    info = builtin_host.generators["image.diffusers"]
    form.set_schema(info.params, "txt2img",
                    PackTexts(builtin_host, "zh_CN").for_generator(info.id))
    form.set_values({"scheduler": "dpmpp_2m_karras"})
    combo = form.editor("scheduler")
    assert combo.currentText() == "DPM++ 2M Karras"
    assert form.values()["scheduler"] == "dpmpp_2m_karras"
    labels = {form._basic.labelForField(f.row).text() for f in form._fields.values()
              if not f.param.advanced}
    assert "步数" in labels and "反向提示词" in labels
    assert form.editor("steps").toolTip().startswith("去噪步数")


def test_the_panel_shows_names_and_picks_by_id(chinese, open_window):
    win = open_window()
    panel = win.panel
    panel.modality.setCurrentText("image")
    assert panel.modality.currentText() == "image"
    assert panel.modality.itemText(panel.modality.currentIndex()) == "图像"
    panel.generator.setCurrentIndex(panel.generator.findData("image.diffusers"))
    shown = panel.generator.itemText(panel.generator.currentIndex())
    assert shown.startswith("Stable Diffusion") and "diffusers" in shown and "(" not in shown
    panel.task.setCurrentText("img2img")
    assert panel.task.currentText() == "img2img"
    assert panel.task.itemText(panel.task.currentIndex()) == "图生图"
    assert "image" in panel.inputs  # the task's inputs followed the id
    assert panel.build_request().task == "img2img"


# -- the dialogs and pages the menus open ------------------------------------------------


def _dialog_data(studio) -> set[str]:
    from studio.ui import settings_dialog

    data = pack_data(studio) | {str(studio.root)}
    # Values the user types as they are (the device field takes "cuda:1", not a word in
    # Chinese), and each language named in itself, as language pickers do.
    data |= set(settings_dialog.DEVICES) | {name for name, _code in settings_dialog.LANGUAGES}
    return data


def test_every_string_of_the_preferences_is_translated(chinese, qtbot, open_window):
    from studio.app import runtime

    win = open_window()
    reading = QCoreApplication.translate("SettingsDialog", "Reading the runtime…")
    dialog = win.menus.preferences()
    qtbot.waitUntil(lambda: dialog.runtime_state.text() != reading, timeout=20000)
    texts = visible_texts(dialog)
    assert len(texts) > 30
    data = _dialog_data(win.studio)
    # Why a runtime is recommended, or broken, is the hardware probe's sentence (the app
    # layer), as the welcome page's reasons are.
    status = runtime.status()
    data |= {status.reason, status.problem or "", *(status.installed or ())}
    missing = untranslated(texts, data)
    assert missing == [], "untranslated:\n" + "\n".join(missing)
    assert dialog.dtype.itemText(dialog.dtype.findText("auto")) == "自动"
    dialog.close()


def test_every_string_of_the_model_manager_is_translated(chinese, qtbot, open_window,
                                                         tmp_path):
    folder = tmp_path / "models"
    folder.mkdir()
    (folder / "tiny.safetensors").write_bytes(b"\0" * 64)
    win = open_window()
    win.studio.settings.model_dirs = [str(folder)]
    reading = QCoreApplication.translate("ModelManager", "Reading the models…")
    dialog = win.menus.model_manager()
    qtbot.waitUntil(lambda: dialog.total.text() != reading, timeout=20000)
    texts = visible_texts(dialog)
    assert len(texts) > 10
    missing = untranslated(texts, _dialog_data(win.studio))
    assert missing == [], "untranslated:\n" + "\n".join(missing)
    dialog.close()


def test_every_string_of_the_welcome_and_plugins_pages_is_translated(chinese, qtbot,
                                                                     open_window):
    win = open_window()
    page = win.show_welcome(gpu_bytes=16 * 2**30)
    win.tabs.setCurrentWidget(win.plugin_page)
    data = _dialog_data(win.studio) | {rec.why for rec, _row in page.rows.values()}
    texts = visible_texts(page) + visible_texts(win.plugin_page)
    assert len(texts) > 20
    missing = untranslated(texts, data)
    assert missing == [], "untranslated:\n" + "\n".join(missing)
    # The table's "Makes" column names what each pack makes in Chinese.
    table = win.plugin_page.table
    makes = {table.item(r, 0).data(Qt.ItemDataRole.UserRole): table.item(r, 2).text()
             for r in range(table.rowCount())}
    assert makes["image"] == "图像" and makes["writing"] == "文本"
    assert makes["fake"].startswith("图像")  # a pack without a catalogue borrows the name
    states = {table.item(r, 0).data(Qt.ItemDataRole.UserRole): table.item(r, 3).text()
              for r in range(table.rowCount())}
    assert states["image"] == "已加载"


def test_the_cancel_shortcuts_message_is_translated(chinese, open_window):
    win = open_window()
    win.menus.cancel_running()  # nothing is running
    message = win.statusBar().currentMessage()
    assert message == "没有正在运行的任务"
    assert leftover(message, []) == []


def test_the_canvas_names_the_task_in_chinese(chinese, qtbot, open_window):
    win = open_window()
    sample_library.build(win.studio)
    art = next(a for a in win.studio.library.list() if a.task == "txt2img")
    win.open_artifact(art)
    qtbot.waitUntil(lambda: "文生图" in win.canvas.info.text(), timeout=10000)
    assert "txt2img" not in win.canvas.info.text()


def test_every_string_of_the_training_dialog_is_translated(chinese, qtbot, open_window):
    win = open_window()
    sample_library.build(win.studio)
    finding = QCoreApplication.translate("TrainDialog", "Finding your images…")
    win.profile.open_training()
    dialog = win.profile.train_dialog
    qtbot.waitUntil(lambda: dialog.summary.text() != finding, timeout=20000)
    texts = visible_texts(dialog)
    assert len(texts) > 8
    missing = untranslated(texts, _dialog_data(win.studio))
    assert missing == [], "untranslated:\n" + "\n".join(missing)
    dialog.reject()


def test_a_queue_row_names_the_modality_and_task_in_chinese(chinese, qtbot, fake_entry_points,
                                                            tmp_path):
    from studio.api import GenerationRequest
    from studio.ui.jobs_view import JobsView

    studio = Studio(root=tmp_path / "data", backend="thread")
    try:
        view = JobsView(studio.engine)
        qtbot.addWidget(view)
        with_prompt = studio.engine.submit(GenerationRequest(
            modality="image", generator="fake.image", prompt="a fox", seed=1))
        from PIL import Image

        Image.new("RGB", (16, 16)).save(tmp_path / "in.png")
        without = studio.engine.submit(GenerationRequest(
            modality="image", generator="fake.image", prompt="", task="img2img", seed=1,
            inputs={"image": str(tmp_path / "in.png")}))
        view.add_job(with_prompt)
        view.add_job(without)
        assert view.rows[with_prompt.id].title.text() == "图像: a fox"
        assert view.rows[without.id].title.text() == "图像: 图生图"
    finally:
        studio.close()


def test_the_music_view_says_why_sound_cannot_play_in_chinese(chinese, qtbot, tmp_path):
    from studio.app.playback import NO_DEVICE, PlaybackUnavailable, Player
    from studio.ui.music_view import MusicView
    from tests.test_ui_music_video import music_file

    def no_device(*_args):
        raise PlaybackUnavailable(NO_DEVICE)

    view = MusicView(player=Player(stream_factory=no_device))
    qtbot.addWidget(view)
    try:
        view.open_file(music_file(tmp_path)).result(10)
        said = QCoreApplication.translate("MusicView", NO_DEVICE)
        assert said.startswith("无法播放音频")
        qtbot.waitUntil(lambda: view.message.text() == said, timeout=5000)
    finally:
        view.shutdown()


def test_a_settings_suggestion_names_the_parameters_in_chinese(chinese, open_window):
    from studio.app.suggest.types import Suggestion
    from studio.ui.suggestions_view import plain_card

    win = open_window()
    view = win.suggestions
    assert view.param_for("video", "num_frames").display_label == "帧数"
    suggestion = Suggestion(id="params:x", kind="params", text="x", modality="video",
                            reason="because", score=0.5, source="history",
                            params={"num_frames": 33, "steps": 30})
    text, _reason = plain_card(suggestion, view.param_for)
    assert text == "帧数: 33 · 步数: 30"


def test_a_packs_own_input_is_named_by_its_catalogue(chinese):
    from studio.ui.generate_panel import _role_label

    catalogue = {"depth_map": "深度图"}
    assert _role_label("depth_map", lambda t: catalogue.get(t, t)) == "深度图"
    assert _role_label("pose", lambda t: catalogue.get(t, t)) == "Pose"
    assert _role_label("mask", lambda t: catalogue.get(t, t)) == "蒙版"

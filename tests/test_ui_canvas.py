"""The image canvas and the inpaint mask, driven offscreen with pytest-qt."""

import importlib.metadata as md
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("pytestqt")

from PIL import Image
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPixmap

from studio.api import GenerationRequest
from studio.app.studio import Studio
from studio.ui.canvas import Canvas
from studio.ui.main_window import MainWindow
from studio.ui.mask_painter import MaskPainter

INPAINT_EP = md.EntryPoint(name="fakeinpaint", value="tests.fakes.inpaint_pack",
                           group="studio.plugins")
FAST = Qt.TransformationMode.FastTransformation
SMOOTH = Qt.TransformationMode.SmoothTransformation


@pytest.fixture
def window(qtbot, fake_entry_points, tmp_path):
    fake_entry_points.append(INPAINT_EP)
    studio = Studio(root=tmp_path / "data", backend="thread")
    studio.settings.device = "cpu"
    win = MainWindow(studio)
    qtbot.addWidget(win)
    win.resize(1100, 760)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()
    studio.close()


@pytest.fixture
def canvas(qtbot):
    c = Canvas()
    qtbot.addWidget(c)
    c.resize(640, 520)
    c.show()
    qtbot.waitExposed(c)
    yield c
    c.shutdown()


def pixmap(w, h, colour=(200, 40, 40)):
    pm = QPixmap(w, h)
    pm.fill(QColor(*colour))
    return pm


def generate(studio, seed=1, task="txt2img", inputs=None, **params):
    req = GenerationRequest(modality="image", generator="fake.image", task=task, seed=seed,
                            params={"width": 64, **params}, inputs=inputs or {})
    job = studio.engine.submit(req)
    studio.engine.wait(job.id, timeout=30)
    assert job.state == "done", job.error
    return job.artifacts


def shown(win_or_canvas, qtbot, art):
    canvas = getattr(win_or_canvas, "canvas", win_or_canvas)
    qtbot.waitUntil(lambda: canvas.current is not None and canvas.current.id == art.id
                    and not canvas.is_loading(), timeout=10000)


# -- zoom, pan, fit, 1:1 ------------------------------------------------------------------


def test_zoom_in_out_fit_and_one_to_one_change_the_transform(canvas):
    view = canvas.view
    canvas.show_pixmap(pixmap(400, 300))
    fitted = view.zoom()
    vp = view.viewport().size()
    dpr = view.devicePixelRatioF()
    # Fit: the whole image is visible and touches the viewport on one side.
    assert 400 * fitted <= vp.width() * dpr + 1 and 300 * fitted <= vp.height() * dpr + 1
    assert max(400 * fitted / (vp.width() * dpr), 300 * fitted / (vp.height() * dpr)) > 0.9
    canvas.zoom_in_action.trigger()
    assert view.zoom() == pytest.approx(fitted * 1.25)
    canvas.zoom_out_action.trigger()
    canvas.zoom_out_action.trigger()
    assert view.zoom() == pytest.approx(fitted / 1.25)
    canvas.actual_size_action.trigger()
    assert view.zoom() == pytest.approx(1.0)
    assert view.transform().m11() == pytest.approx(1 / dpr)
    assert view.fitted is False
    canvas.fit_action.trigger()
    assert view.zoom() == pytest.approx(fitted)


def test_one_to_one_survives_a_move_to_a_screen_of_another_scale(canvas, monkeypatch):
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    view = canvas.view
    canvas.show_pixmap(pixmap(400, 300))
    canvas.actual_size_action.trigger()
    monkeypatch.setattr(view, "devicePixelRatioF", lambda: 2.0)
    QApplication.sendEvent(view, QEvent(QEvent.Type.DevicePixelRatioChange))
    assert view.transform().m11() == pytest.approx(0.5) and view.zoom() == pytest.approx(1.0)


def test_smooth_when_zoomed_out_and_square_pixels_far_in(canvas):
    view = canvas.view
    canvas.show_pixmap(pixmap(2000, 1500))
    assert view.zoom() < 1
    assert view.image_item.transformationMode() == SMOOTH
    view.set_zoom(8.0)
    assert view.image_item.transformationMode() == FAST
    view.actual_size()
    assert view.image_item.transformationMode() == FAST  # exact copy: crisp


def test_wheel_zooms_and_middle_drag_pans(canvas, qtbot):
    from PySide6.QtCore import QPoint as P
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    view = canvas.view
    canvas.show_pixmap(pixmap(800, 600))
    before = view.zoom()
    centre = QPointF(view.viewport().rect().center())
    event = QWheelEvent(centre, view.viewport().mapToGlobal(centre), P(0, 0), P(0, 120),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(view.viewport(), event)
    assert view.zoom() > before
    view.set_zoom(4.0)
    h = view.horizontalScrollBar()
    start = h.value()
    qtbot.mousePress(view.viewport(), Qt.MouseButton.MiddleButton, pos=QPoint(300, 200))
    qtbot.mouseMove(view.viewport(), QPoint(240, 200))
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.MiddleButton, pos=QPoint(240, 200))
    assert h.value() == start + 60


def test_one_to_one_at_scale_factor_two_maps_an_image_pixel_to_a_device_pixel(tmp_path):
    """At QT_SCALE_FACTOR=2 a 1-pixel checkerboard stays a 1-device-pixel checkerboard."""
    shot = tmp_path / "canvas-2x.png"
    code = textwrap.dedent(f"""
        import sys
        from PySide6.QtGui import QColor
        from PySide6.QtWidgets import QApplication
        from studio.ui.canvas import Canvas
        app = QApplication([])
        c = Canvas(); c.resize(400, 320); c.show(); app.processEvents()
        from PIL import Image
        from studio.ui.bridge import pil_to_pixmap
        board = Image.new("L", (64, 64))
        board.putdata([255 if (i % 64 + i // 64) % 2 else 0 for i in range(64 * 64)])
        c.show_pixmap(pil_to_pixmap(board))
        c.actual_size_action.trigger(); app.processEvents()
        v = c.view
        print("dpr", v.devicePixelRatioF())
        print("m11", v.transform().m11())
        print("zoom", v.zoom())
        grab = v.viewport().grab().toImage()
        print("grab", grab.width(), grab.height(), grab.devicePixelRatio())
        origin = v.mapFromScene(0, 0)
        x0, y0 = round(origin.x() * 2), round(origin.y() * 2)
        bad = 0
        for y in range(4, 60):
            for x in range(4, 60):
                want = 255 if (x + y) % 2 else 0
                got = QColor(grab.pixel(x0 + x, y0 + y)).red()
                bad += abs(got - want) > 8
        print("bad", bad)
        c.grab().save({str(shot)!r})
        c.shutdown()
    """)
    env = {**os.environ, "QT_SCALE_FACTOR": "2", "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, timeout=120, cwd=Path(__file__).parent.parent)
    assert out.returncode == 0, out.stderr
    facts = dict(line.split(" ", 1) for line in out.stdout.splitlines())
    assert float(facts["dpr"]) == 2.0
    assert float(facts["m11"]) == pytest.approx(0.5)
    assert float(facts["zoom"]) == pytest.approx(1.0)
    assert facts["bad"] == "0"  # every device pixel is exactly one image pixel
    assert shot.is_file()


# -- batch grid, compare, info, file actions ------------------------------------------------


def test_a_batch_shows_as_a_grid_and_a_click_views_one(window, qtbot):
    window.panel.modality.setCurrentText("image")
    window.panel.generator.setCurrentIndex(window.panel.generator.findData("fake.image"))
    window.panel.params.set_values({"batch_size": 3, "width": 32})
    window.panel.generate.click()
    qtbot.waitUntil(lambda: window.studio.library.count() == 3, timeout=10000)
    canvas = window.canvas
    qtbot.waitUntil(lambda: canvas.stack.currentWidget() is canvas.grid, timeout=5000)
    assert canvas.grid.count() == 3
    qtbot.waitUntil(lambda: not canvas.grid.item(2).icon().isNull(), timeout=5000)
    cells = [canvas.grid.visualItemRect(canvas.grid.item(i)) for i in range(3)]
    assert not cells[0].intersects(cells[1]) and not cells[1].intersects(cells[2])
    assert min(c.width() for c in cells) >= 192  # room for the thumbnail, not a sliver
    rect = canvas.grid.visualItemRect(canvas.grid.item(1))
    qtbot.mouseClick(canvas.grid.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    second = canvas.artifacts[1]
    shown(canvas, qtbot, second)
    assert canvas.stack.currentIndex() == 0
    assert canvas.view.image_item.pixmap().size().width() == 32
    assert f"seed {second.seed}" in canvas.info.text() and "32\u00d732" in canvas.info.text()
    assert canvas.grid_action.isEnabled()
    canvas.grid_action.trigger()
    assert canvas.stack.currentWidget() is canvas.grid


def test_compare_slider_shows_the_parent_left_and_the_output_right(window, qtbot):
    studio = window.studio
    (parent,) = generate(studio, seed=100)
    (child,) = generate(studio, seed=200, task="img2img", inputs={"image": f"artifact:{parent.id}"})
    assert child.parent == parent.id
    canvas = window.canvas
    window.tabs.setCurrentWidget(canvas)
    canvas.show_artifact(child)
    shown(canvas, qtbot, child)
    assert canvas.compare_action.isEnabled()
    canvas.compare_action.trigger()
    assert canvas.view.comparing() and canvas.slider.isVisible()
    view = canvas.view

    def colour_at(x_fraction):
        img = view.viewport().grab().toImage()
        pos = view.mapFromScene(QPointF(64 * x_fraction, 32))
        dpr = img.devicePixelRatio()
        return QColor(img.pixel(round(pos.x() * dpr), round(pos.y() * dpr))).red()

    assert colour_at(0.25) == 100 and colour_at(0.75) == 200
    canvas.slider.setValue(1000)  # all parent
    assert colour_at(0.9) == 100
    canvas.slider.setValue(0)  # all output
    assert colour_at(0.1) == 200
    canvas.compare_action.trigger()
    assert not view.comparing() and not canvas.slider.isVisible()


def test_an_output_without_parent_cannot_be_compared(window, qtbot):
    (art,) = generate(window.studio, seed=5)
    window.canvas.show_artifact(art)
    shown(window, qtbot, art)
    assert not window.canvas.compare_action.isEnabled()
    window.canvas.set_compare(True)
    assert not window.canvas.view.comparing()


def test_save_as_copies_the_file_with_its_metadata_copy_and_open_folder(window, qtbot,
                                                                         tmp_path, monkeypatch):
    (art,) = generate(window.studio, seed=7)
    canvas = window.canvas
    canvas.show_artifact(art)
    shown(canvas, qtbot, art)
    target = canvas.save_as(str(tmp_path / "out" / "keep"))
    assert target == tmp_path / "out" / "keep.png"
    assert canvas.save_as(str(tmp_path / "out" / "keep.jpg")) == tmp_path / "out" / "keep.jpg.png"
    assert target.read_bytes() == Path(art.path).read_bytes()  # copied, not re-encoded
    with Image.open(target) as im:
        assert "parameters" in im.info or any("studio" in k for k in im.info)
    canvas.copy_action.trigger()
    assert QGuiApplication.clipboard().image().size().width() == 64
    opened = []
    monkeypatch.setattr("studio.ui.canvas.QDesktopServices.openUrl",
                        lambda url: opened.append(url.toLocalFile()))
    canvas.open_folder_action.trigger()
    assert opened == [str(Path(art.path).parent)]


def test_save_as_into_a_missing_parent_that_is_a_file_says_so(window, qtbot, tmp_path):
    (art,) = generate(window.studio, seed=7)
    canvas = window.canvas
    canvas.show_artifact(art)
    shown(canvas, qtbot, art)
    (tmp_path / "afile").write_text("x")
    messages = []
    canvas.status.connect(messages.append)
    assert canvas.save_as(str(tmp_path / "afile" / "x.png")) is None
    assert messages and messages[-1].startswith("Could not save")


def test_live_preview_still_shows_during_a_job(window):
    from studio.app.jobs import JobEvent

    preview = Image.new("RGB", (24, 24), (10, 220, 30))
    window.on_event(JobEvent("progress", "job1", step=1, total=4, preview=preview))
    img = window.canvas.view.image_item.pixmap().toImage()
    assert img.width() == 24 and QColor(img.pixel(3, 3)).green() == 220


# -- send to ---------------------------------------------------------------------------------


@pytest.mark.parametrize("task,modality,generator", [
    ("img2img", "image", "fake.image"),
    ("upscale", "image", "fakeinpaint.image"),
    ("inpaint", "image", "fakeinpaint.image"),
    ("img2video", "video", "fakeinpaint.video"),
])
def test_send_to_routes_to_the_panel_task(window, qtbot, task, modality, generator):
    (art,) = generate(window.studio, seed=3)
    window.canvas.show_artifact(art)
    shown(window, qtbot, art)
    window.canvas.send_actions[task].trigger()
    panel = window.panel
    assert panel.modality.currentText() == modality
    assert panel.generator.currentData() == generator
    assert panel.task.currentText() == task
    assert panel.inputs["image"].text() == f"artifact:{art.id}"


# -- mask painting ---------------------------------------------------------------------------


def mask_value(painter, x, y):
    return QColor(painter.mask.pixel(x, y)).red()


def test_brush_eraser_invert_clear_and_undo_make_the_expected_mask(qtbot):
    painter = MaskPainter()
    painter.reset(QImage(100, 80, QImage.Format.Format_RGB32).size())
    assert painter.is_empty() and painter.size().width() == 100
    painter.brush_size = 10
    painter.stroke([(10, 40), (90, 40)])
    assert mask_value(painter, 50, 40) == 255 and mask_value(painter, 50, 10) == 0
    assert mask_value(painter, 50, 44) == 255 and mask_value(painter, 50, 47) == 0
    painter.eraser_action.trigger()
    painter.stroke([(50, 20), (50, 60)])
    assert mask_value(painter, 50, 40) == 0 and mask_value(painter, 20, 40) == 255
    painter.invert_action.trigger()
    assert mask_value(painter, 50, 40) == 255 and mask_value(painter, 20, 40) == 0
    assert mask_value(painter, 5, 5) == 255
    painter.undo_action.trigger()  # the inversion
    assert mask_value(painter, 20, 40) == 255 and mask_value(painter, 5, 5) == 0
    painter.undo_action.trigger()  # the eraser stroke
    assert mask_value(painter, 50, 40) == 255
    painter.redo_action.trigger()
    assert mask_value(painter, 50, 40) == 0
    painter.clear_action.trigger()
    assert painter.is_empty()
    painter.undo_stack.undo()
    assert not painter.is_empty()


def test_feather_blurs_the_edge_of_the_mask_sent(qtbot):
    painter = MaskPainter()
    painter.reset(QImage(60, 60, QImage.Format.Format_RGB32).size())
    painter.brush_size = 20
    painter.stroke([(30, 0), (30, 59)])  # a band x in [20, 40]
    sharp = painter.image()
    assert sharp.getpixel((30, 30)) == 255 and sharp.getpixel((10, 30)) == 0
    assert sharp.getpixel((18, 30)) == 0
    painter.feather = 4
    soft = painter.image()
    assert soft.size == (60, 60) and soft.mode == "L"
    assert soft.getpixel((30, 30)) > 240
    assert 0 < soft.getpixel((18, 30)) < 128 and 128 < soft.getpixel((22, 30)) < 255


def test_mouse_strokes_paint_the_mask_in_image_pixels(window, qtbot):
    (art,) = generate(window.studio, seed=11)
    canvas = window.canvas
    window.tabs.setCurrentWidget(canvas)
    canvas.paint_mask_on(art)
    shown(canvas, qtbot, art)
    assert canvas.view.painting and canvas.mask_bar.isVisible()
    assert canvas.mask.size().width() == 64
    canvas.mask.brush_size = 6
    view = canvas.view

    def at(x, y):
        return view.mapFromScene(QPointF(x, y))

    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=at(8, 20))
    for x in range(12, 60, 4):
        qtbot.mouseMove(view.viewport(), at(x, 20))
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=at(56, 20))
    assert mask_value(canvas.mask, 32, 20) == 255 and mask_value(canvas.mask, 32, 40) == 0
    assert canvas.mask.undo_stack.count() == 1  # one stroke, one undo step
    canvas.mask.undo_action.trigger()
    assert canvas.mask.is_empty()


def test_the_inpaint_request_carries_exactly_the_painted_mask(window, qtbot):
    (art,) = generate(window.studio, seed=21)
    canvas = window.canvas
    window.tabs.setCurrentWidget(canvas)
    canvas.show_artifact(art)
    shown(canvas, qtbot, art)
    canvas.send_actions["inpaint"].trigger()
    assert canvas.view.painting
    canvas.mask.brush_size = 8
    canvas.mask.stroke([(4, 10), (60, 10)])
    canvas.mask.eraser_action.trigger()
    canvas.mask.stroke([(32, 0), (32, 63)])
    request = window.panel.build_request()
    assert request.task == "inpaint" and request.inputs["image"] == f"artifact:{art.id}"
    with Image.open(request.inputs["mask"]) as m:
        sent = m.convert("L")
    assert sent.size == (64, 64)
    assert sent.tobytes() == canvas.mask.image().tobytes()
    assert sent.getpixel((10, 10)) == 255 and sent.getpixel((32, 10)) == 0
    assert sent.getpixel((10, 40)) == 0
    assert Path(request.inputs["mask"]).is_relative_to(window.studio.root)
    # The engine accepts it and the job runs with it: white where the mask was painted.
    window.panel.generate.click()
    qtbot.waitUntil(lambda: window.studio.library.count() == 2, timeout=10000)
    result = window.studio.library.list()[0]
    with Image.open(result.path) as out:
        assert out.getpixel((10, 10)) == (255, 255, 255)
        assert out.getpixel((10, 40)) == (21, 0, 7)


def test_no_mask_is_sent_until_painted_nor_for_another_image(window, qtbot):
    (art,) = generate(window.studio, seed=21)
    (other,) = generate(window.studio, seed=22)
    window.canvas.paint_mask_on(art)
    shown(window, qtbot, art)
    window.start_from_artifact(art, "inpaint")
    assert "mask" not in window.panel.build_request().inputs  # nothing painted yet
    window.canvas.mask.stroke([(10, 10), (20, 20)])
    assert "mask" in window.panel.build_request().inputs
    window.panel.inputs["image"].setText(f"artifact:{other.id}")
    assert "mask" not in window.panel.build_request().inputs
    window.panel.inputs["image"].setText(art.path)
    assert "mask" in window.panel.build_request().inputs
    window.panel.inputs["mask"].setText("/typed/mask.png")
    assert window.panel.build_request().inputs["mask"] == "/typed/mask.png"


def test_a_result_arriving_after_the_window_closed_is_ignored(window, qtbot):
    (art,) = generate(window.studio, seed=4)
    window.canvas.shutdown()
    window.canvas.show_results([art])  # raised "cannot schedule new futures" before
    assert not window.canvas.is_loading()


def test_space_and_left_drag_pans(canvas, qtbot):
    view = canvas.view
    canvas.show_pixmap(pixmap(800, 600))
    view.set_zoom(4.0)
    v = view.verticalScrollBar()
    start = v.value()
    view.setFocus()
    qtbot.keyPress(view, Qt.Key.Key_Space)
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(300, 200))
    qtbot.mouseMove(view.viewport(), QPoint(300, 150))
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(300, 150))
    qtbot.keyRelease(view, Qt.Key.Key_Space)
    assert v.value() == start + 50


def test_the_toolbar_follows_the_brush_and_the_overlay_previews_the_feather(canvas):
    from PySide6.QtWidgets import QSpinBox

    canvas.show_pixmap(pixmap(200, 100))
    size = canvas.mask_bar.findChild(QSpinBox, "mask_size")
    feather = canvas.mask_bar.findChild(QSpinBox, "mask_feather")
    canvas.mask.brush_size = 17  # e.g. from a shortcut
    assert size.value() == 17
    feather.setValue(6)
    assert canvas.mask.feather == 6
    blur = canvas.view.mask_item.blur
    assert blur.isEnabled()
    assert blur.blurRadius() == pytest.approx(6 * 1.5 * canvas.view.transform().m11())
    canvas.view.set_zoom(canvas.view.zoom() * 2)
    assert blur.blurRadius() == pytest.approx(6 * 1.5 * canvas.view.transform().m11())
    feather.setValue(0)
    assert not blur.isEnabled()


def test_the_overlay_kept_up_stroke_by_stroke_equals_one_made_from_the_mask(qtbot):
    from studio.ui.mask_painter import MaskItem

    painter = MaskPainter()
    item = MaskItem(painter)
    painter.reset(QImage(300, 200, QImage.Format.Format_RGB32).size())
    painter.brush_size = 12
    painter.stroke([(-20, 50), (150, 60), (310, 190)])  # runs off both edges
    painter.eraser_action.trigger()
    painter.stroke([(150, 0), (150, 199)])
    assert item.overlay_image == painter.overlay()
    painter.undo_action.trigger()
    assert item.overlay_image == painter.overlay()
    assert mask_value(painter, 150, 60) == 255
    painter.invert_action.trigger()
    painter.undo_action.trigger()
    painter.undo_action.trigger()
    assert painter.is_empty() and item.overlay_image == painter.overlay()


def test_a_stroke_outside_the_image_adds_no_undo_step(qtbot):
    painter = MaskPainter()
    painter.reset(QImage(50, 50, QImage.Format.Format_RGB32).size())
    painter.brush_size = 4
    painter.stroke([(200, 200), (300, 300)])
    assert painter.is_empty() and painter.undo_stack.count() == 0


def test_zoom_keys_act_on_the_focused_canvas(canvas, qtbot):
    canvas.show_pixmap(pixmap(400, 300))
    canvas.activateWindow()
    canvas.view.setFocus()
    qtbot.waitUntil(lambda: canvas.view.hasFocus(), timeout=3000)
    fitted = canvas.view.zoom()
    qtbot.keyClick(canvas.view, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert canvas.view.zoom() == pytest.approx(fitted * 1.25)
    qtbot.keyClick(canvas.view, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert canvas.view.zoom() == pytest.approx(1.0)
    qtbot.keyClick(canvas.view, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert canvas.view.zoom() == pytest.approx(fitted)


def test_an_unreadable_file_is_said_and_not_shown_under_the_old_picture(window, qtbot):
    (good,) = generate(window.studio, seed=8)
    (gone,) = generate(window.studio, seed=9)
    canvas = window.canvas
    shown(canvas, qtbot, gone)  # each finished job is shown as it arrives
    canvas.show_artifact(good)
    shown(canvas, qtbot, good)
    Path(gone.path).write_bytes(b"not a png")
    messages = []
    canvas.status.connect(messages.append)
    canvas.show_artifact(gone)
    qtbot.waitUntil(lambda: not canvas.is_loading(), timeout=10000)
    assert messages and "cannot be read as an image" in messages[-1]
    assert not canvas.view.has_image() and canvas.current is None
    assert not canvas.save_as_action.isEnabled()


def test_choosing_inpaint_in_the_panel_puts_the_brush_on_the_shown_image(window, qtbot):
    (art,) = generate(window.studio, seed=31)
    canvas = window.canvas
    shown(canvas, qtbot, art)
    assert not canvas.view.painting
    panel = window.panel
    panel.generator.setCurrentIndex(panel.generator.findData("fake.image"))
    panel.task.setCurrentText("img2img")
    assert not canvas.view.painting  # img2img takes no mask
    panel.generator.setCurrentIndex(panel.generator.findData("fakeinpaint.image"))
    panel.task.setCurrentText("inpaint")
    assert canvas.view.painting and canvas.mask.owner.id == art.id
    canvas.mask.stroke([(5, 5), (20, 20)])
    request = panel.build_request()
    assert request.inputs["image"] == f"artifact:{art.id}" and "mask" in request.inputs

"""``studio gui``: the X11 library check and the screenshot mode."""

import subprocess
import sys
from pathlib import Path

import pytest

from studio.api import StudioError
from studio.cli import gui_cmd

LDD = """\
\tlinux-vdso.so.1 (0x00007ffd)
\tlibQt6XcbQpa.so.6 => /x/libQt6XcbQpa.so.6 (0x00007f)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxkbcommon-x11.so.0 => not found
\tlibxcb-icccm.so.4 => not found
\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f)
"""


def test_missing_libraries_are_listed_once_in_order():
    assert gui_cmd.missing_libraries(LDD) == [
        "libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libxkbcommon-x11.so.0"]
    assert gui_cmd.missing_libraries("\tlibc.so.6 => /lib/libc.so.6 (0x1)\n") == []


@pytest.mark.parametrize(("soname", "package"), [
    ("libxcb-icccm.so.4", "libxcb-icccm4"),
    ("libxcb-keysyms.so.1", "libxcb-keysyms1"),
    ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
    ("libxcb-render-util.so.0", "libxcb-render-util0"),
    ("libX11-xcb.so.1", "libx11-xcb1"),
])
def test_debian_package_names(soname, package):
    assert gui_cmd.debian_package(soname) == package


def test_missing_x11_libraries_become_one_sentence_with_the_install_line(monkeypatch, tmp_path):
    plugin = tmp_path / "libqxcb.so"
    plugin.write_bytes(b"")
    monkeypatch.setattr(gui_cmd, "_xcb_plugin", lambda: plugin)
    monkeypatch.setattr(gui_cmd, "_DLOPENED", ())
    monkeypatch.setattr(gui_cmd.subprocess, "run",
                        lambda *a, **k: subprocess.CompletedProcess(a, 0, LDD, ""))
    with pytest.raises(StudioError) as err:
        gui_cmd.check_x11_libraries({"DISPLAY": ":0"}, "linux")
    message = str(err.value)
    assert "\n" not in message
    assert "sudo apt-get install libxcb-icccm4 libxcb-keysyms1 libxkbcommon-x11-0" in message
    # Wayland, offscreen, and other systems never look at X11's libraries.
    gui_cmd.check_x11_libraries({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, "linux")
    gui_cmd.check_x11_libraries({"WAYLAND_DISPLAY": "wayland-0"}, "linux")
    gui_cmd.check_x11_libraries({"DISPLAY": ":0"}, "darwin")


def test_a_complete_system_passes(monkeypatch, tmp_path):
    plugin = tmp_path / "libqxcb.so"
    plugin.write_bytes(b"")
    monkeypatch.setattr(gui_cmd, "_xcb_plugin", lambda: plugin)
    monkeypatch.setattr(gui_cmd, "_DLOPENED", ())
    ok = "\tlibc.so.6 => /lib/libc.so.6 (0x1)\n"
    monkeypatch.setattr(gui_cmd.subprocess, "run",
                        lambda *a, **k: subprocess.CompletedProcess(a, 0, ok, ""))
    gui_cmd.check_x11_libraries({"DISPLAY": ":0"}, "linux")


@pytest.mark.parametrize("text", ["1440", "axb", "10x10", "99999x900"])
def test_bad_sizes_are_refused(text):
    with pytest.raises(StudioError, match="--size"):
        gui_cmd.parse_size(text)


def test_screenshot_writes_a_png_of_the_asked_size_and_scale(tmp_path):
    pytest.importorskip("PySide6")
    from PIL import Image

    target = tmp_path / "shot.png"
    env_cmd = [sys.executable, "-m", "studio", "gui", "--screenshot", str(target),
               "--view", "library", "--size", "1280x800", "--scale", "2", "--theme", "dark"]
    proc = subprocess.run(env_cmd, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    with Image.open(target) as img:
        assert img.size == (2560, 1600)
        # Dark: most of the window is dark grey, not the light default.
        grey = img.convert("L").resize((80, 60))
        assert sum(grey.getdata()) / (80 * 60) < 110
    # The sample library lived in a temporary folder: nothing left in the user's data.
    assert "studio-screenshot" not in proc.stdout


def test_screenshot_of_a_missing_folder_is_refused(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "studio", "gui", "--screenshot", str(tmp_path / "no" / "x.png")],
        capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "does not exist" in proc.stderr


def test_a_plugin_that_loads_needs_no_ldd(monkeypatch):
    import ctypes.util

    libm = ctypes.util.find_library("m")
    if libm is None:
        pytest.skip("no libm to stand in for Qt's X11 plugin")
    monkeypatch.setattr(gui_cmd, "_xcb_plugin", lambda: Path(libm))
    monkeypatch.setattr(gui_cmd, "_DLOPENED", (libm,))

    def no_ldd(*args, **kwargs):
        raise AssertionError("ldd ran although the plugin loaded")

    monkeypatch.setattr(gui_cmd.subprocess, "run", no_ldd)
    gui_cmd.check_x11_libraries({"DISPLAY": ":0"}, "linux")
    # A library that does not load still gets ldd's full list.
    monkeypatch.setattr(gui_cmd, "_DLOPENED", ("libstudio-missing.so.9",))
    monkeypatch.setattr(gui_cmd.subprocess, "run",
                        lambda *a, **k: subprocess.CompletedProcess(a, 0, "", ""))
    with pytest.raises(StudioError, match=r"libstudio-missing\.so\.9"):
        gui_cmd.check_x11_libraries({"DISPLAY": ":0"}, "linux")

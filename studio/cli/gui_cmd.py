"""``studio gui``: open the desktop window, or render it to a PNG and exit."""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

from studio.api import StudioError

VIEWS = ("canvas", "writing", "library", "profile", "music", "video")
# Loaded by Qt's X11 plugin with dlopen, so ldd does not list it (Qt >= 6.5 needs it).
_DLOPENED = ("libxcb-cursor.so.0",)


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("gui", help="open the desktop window")
    p.add_argument("--screenshot", metavar="PATH",
                   help="open the window on a small sample library in a temporary data "
                        "folder, render it offscreen, save a PNG and exit")
    p.add_argument("--view", choices=VIEWS, default="canvas",
                   help="the tab shown in the screenshot (default: canvas)")
    p.add_argument("--size", default="1440x900", metavar="WxH",
                   help="window size in the screenshot (default: 1440x900)")
    p.add_argument("--scale", type=float, default=1.0,
                   help="device pixel ratio of the screenshot, e.g. 2 (default: 1)")
    p.add_argument("--theme", choices=("light", "dark"), default="light",
                   help="colours of the screenshot (default: light)")
    p.add_argument("--lang", choices=("en", "zh_CN"), default="en",
                   help="language of the screenshot's window (default: en)")
    p.set_defaults(func=run)


def check_display(environ: dict[str, str] | None = None, platform: str | None = None) -> None:
    """Fail with a sentence instead of Qt's abort when there is no screen to open on."""
    env = os.environ if environ is None else environ
    platform = platform or sys.platform
    if not platform.startswith("linux") or env.get("QT_QPA_PLATFORM"):
        return
    if not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")):
        raise StudioError(
            "no display found: the window needs a desktop session (DISPLAY or "
            "WAYLAND_DISPLAY is unset); everything else works from the command line, "
            "see 'studio --help'"
        )


def debian_package(soname: str) -> str:
    """The Debian/Ubuntu package that usually ships a library, from its soname.

    ``libxcb-icccm.so.4`` -> ``libxcb-icccm4``; ``libxkbcommon-x11.so.0`` ->
    ``libxkbcommon-x11-0`` (a dash when the name ends in a digit).
    """
    m = re.match(r"^(lib.+?)\.so\.(\d+)", soname)
    if not m:
        return soname
    name, major = m.group(1).lower(), m.group(2)
    return f"{name}-{major}" if name[-1].isdigit() else f"{name}{major}"


def missing_libraries(ldd_output: str) -> list[str]:
    """Sonames ``ldd`` reports as ``not found``, each once, in order."""
    seen: list[str] = []
    for line in ldd_output.splitlines():
        m = re.match(r"\s*(\S+)\s*=>\s*not found", line)
        if m and m.group(1) not in seen:
            seen.append(m.group(1))
    return seen


def _xcb_plugin() -> Path | None:
    spec = importlib.util.find_spec("PySide6")
    for root in (spec.submodule_search_locations or []) if spec else []:
        plugin = Path(root) / "Qt" / "plugins" / "platforms" / "libqxcb.so"
        if plugin.exists():
            return plugin
    return None


def check_x11_libraries(environ: dict[str, str] | None = None,
                        platform: str | None = None) -> None:
    """Name the system libraries Qt's X11 plugin lacks, before Qt aborts on them.

    Qt itself prints "could not load the Qt platform plugin xcb" and aborts the
    process; a fresh Debian lacks libxcb-icccm4 and libxcb-keysyms1, for one.
    """
    env = os.environ if environ is None else environ
    platform = platform or sys.platform
    wants_xcb = env.get("QT_QPA_PLATFORM", "xcb" if env.get("DISPLAY") else "") == "xcb"
    if not platform.startswith("linux") or not wants_xcb:
        return
    plugin = _xcb_plugin()
    if plugin is None:
        return
    if _loads(str(plugin)) and all(_loads(soname) for soname in _DLOPENED):
        return  # Qt loads the same files next: no ldd (40-60 ms at every start)
    try:
        out = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True,
                             timeout=20, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return  # no ldd: let Qt try, it names the plugin at least
    missing = missing_libraries(out)
    missing += [soname for soname in _DLOPENED if not _loads(soname)]
    if missing:
        packages = " ".join(dict.fromkeys(debian_package(s) for s in missing))
        raise StudioError(
            f"the window cannot open: the system lacks libraries Qt needs for X11 "
            f"({', '.join(missing)}); on Debian or Ubuntu: sudo apt-get install {packages}"
        )


def _loads(library: str) -> bool:
    """Whether the dynamic loader opens ``library`` and everything it links."""
    import ctypes

    try:
        ctypes.CDLL(library, mode=os.RTLD_LAZY)
    except OSError:
        return False
    return True


def parse_size(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"\s*(\d{2,5})\s*[xX]\s*(\d{2,5})\s*", text)
    if not m:
        raise StudioError(f"--size must look like 1440x900, not {text!r}")
    width, height = int(m.group(1)), int(m.group(2))
    if not (320 <= width <= 8192 and 240 <= height <= 8192):
        raise StudioError(f"--size {width}x{height} is out of range (320x240 to 8192x8192)")
    return width, height


def run(args: argparse.Namespace) -> int:
    if args.screenshot:
        size = parse_size(args.size)
        if not 0.5 <= args.scale <= 4:
            raise StudioError(f"--scale must be between 0.5 and 4, not {args.scale}")
        target = Path(args.screenshot).expanduser()
        if not target.parent.is_dir():
            raise StudioError(f"--screenshot: folder {target.parent} does not exist")
        # Before Qt starts: the platform and the scale are read once, at start-up.
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        os.environ["QT_SCALE_FACTOR"] = f"{args.scale:g}"
        from studio.ui.screenshot import take

        take(target, view=args.view, size=size, theme=args.theme, language=args.lang)
        print(target)
        return 0
    check_display()
    check_x11_libraries()
    from studio.ui.main_window import launch

    return launch()
